"""Top-k search: each mentee's ``top_k`` mentors by the cheap bound, and each open mentor's.

:func:`top_per_row` keeps a row's k best values in one pass over a block and reports an upper
bound on everything it left out, which is what makes the all-pairs proof possible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tandem.matching.candidates.blocks import (
    BLOCK_PAIRS,
    ScratchBuffers,
    block_ranges,
    map_blocks,
    nonzero_2d,
)
from tandem.matching.candidates.cheap import CheapBound
from tandem.matching.candidates.rules import PairRules, allowed_block

SAMPLE_STEP = 8  # top-k threshold from the (k+1)-th best of every 8th column


def top_per_row(
    values: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns of each row's k largest finite values (among ``allowed``, if given),
    and per row an upper bound on every value left out (-inf if none was left out).

    A row's (k+1)-th largest value among a sample of its columns is at most its (k+1)-th
    largest overall, so that threshold keeps every top-(k+1) entry in one pass over the block;
    only the survivors are sorted. Ties go to the lower column. With ``allowed`` the block
    itself is never masked: only the sample and the survivors are.
    """
    n, m = values.shape
    if m <= k:
        ok = np.isfinite(values) if allowed is None else allowed & np.isfinite(values)
        rows, cols = np.nonzero(ok)
        return rows, cols, np.full(n, -np.inf)
    step = max(1, min(SAMPLE_STEP, m // (4 * (k + 1))))
    sample = values[:, ::step]
    if allowed is not None:
        sample = np.where(allowed[:, ::step], sample, np.float32(-np.inf))
    width = sample.shape[1]
    if width > k + 1:  # the (k+1)-th best of the sample: at least k+1 survive
        threshold = np.partition(sample, width - k - 1, axis=1)[:, width - k - 1]
    else:
        threshold = sample.min(axis=1)
    threshold = np.maximum(threshold, np.finfo(np.float32).min)  # -inf rows: finite only
    rows, cols = nonzero_2d(values >= threshold[:, None])
    if allowed is not None:
        ok = allowed[rows, cols]
        rows, cols = rows[ok], cols[ok]
    found = values[rows, cols]
    order = np.argsort(_descending(found) | (rows.astype(np.int64) << 32), kind="stable")
    rows, cols, found = rows[order], cols[order], found[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    # Every finite value below the threshold is at most the (k+1)-th survivor.
    left_out = np.full(n, -np.inf)
    beyond = rank == k
    left_out[rows[beyond]] = found[beyond]
    keep = rank < k
    return rows[keep], cols[keep], left_out


def _descending(values: np.ndarray) -> np.ndarray:
    """float32 -> int64 in [0, 2**32) whose ascending order is the values' descending order."""
    bits = values.astype(np.float32).view(np.int32).astype(np.int64)
    bits ^= (bits >> 31) & 0x7FFFFFFF  # float order == signed int order
    return np.int64(0x7FFFFFFF) - bits


MENTOR_SIDE_PAIRS = 16_000_000  # per block of mentor columns: a wider product, run less often


def top_k_pairs(
    cheap: CheapBound,
    pair_rules: PairRules,
    removed: np.ndarray,
    *,
    top_k: int,
    block: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Keys ``i * m + j`` of each mentee's ``top_k`` best allowed mentors by the cheap bound,
    plus each open mentor's ``top_k`` best mentees when fewer listed it, and per mentee an
    upper bound on the cheap score of every allowed pair left out (-inf if none was).

    Fills ``removed`` (see :class:`~tandem.matching.candidates.generate.CandidateSet`) for
    mentees with no allowed pair; ``progress`` gets the number of mentees of each block.

    Examples
    --------
    >>> from tandem.matching.features import FeatureSpace, resolve_weights
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.candidates.rules import CONSTRAINTS, blocked_pairs
    >>> space = FeatureSpace([Mentee(id="a", goals="SQL"), Mentee(id="b")],
    ...                      [Mentor(id="m", expertise="SQL"), Mentor(id="n")])
    >>> rules = PairRules(space, (), blocked_pairs(space))
    >>> removed = np.zeros((2, len(CONSTRAINTS)), dtype=np.int64)
    >>> keys, left_out = top_k_pairs(CheapBound(space, resolve_weights()), rules, removed,
    ...                              top_k=1, block=2)
    >>> keys.tolist(), bool(np.isfinite(left_out).all())  # a-m, b-n: every mentor is listed
    ([0, 3], True)
    """
    n, m = len(pair_rules.space.mentees), len(pair_rules.space.mentors)
    values = ScratchBuffers()

    def top_of_block(start: int, stop: int) -> tuple[int, int, np.ndarray, np.ndarray]:
        scores = cheap.block(start, stop, out=values.get((stop - start, m)))
        allowed = allowed_block(pair_rules, start, stop, removed)
        rows, cols, left_out = top_per_row(scores, top_k, allowed)
        return start, stop, (rows + start).astype(np.int64) * m + cols, left_out

    found, left_out = [np.zeros(0, dtype=np.int64)], np.full(n, -np.inf)
    for start, stop, keys, bound in map_blocks(top_of_block, _ranges(n, m, block)):
        found.append(keys)
        left_out[start:stop] = bound
        if progress:
            progress(stop - start)
    mentee_side = np.concatenate(found)
    more = _mentor_side(cheap, pair_rules, mentee_side, top_k, MENTOR_SIDE_PAIRS)
    return np.concatenate([mentee_side, more]), left_out


def _mentor_side(
    cheap: CheapBound, pair_rules: PairRules, keys: np.ndarray, top_k: int, pairs: int
) -> np.ndarray:
    """Keys of the ``top_k`` best allowed mentees of every open mentor that fewer than
    ``top_k`` mentees listed (the others already have enough candidates), by columns."""
    n, m = len(pair_rules.space.mentees), len(pair_rules.space.mentors)
    degree = np.bincount(keys % max(m, 1), minlength=m)
    short = np.flatnonzero((degree < top_k) & ~pair_rules.full)

    def top_of_columns(lo: int, hi: int) -> np.ndarray:
        cols = short[lo:hi]
        values = cheap.take_columns(cols)
        at, mentee, _ = top_per_row(values, top_k, pair_rules.allowed_columns(cols))
        return mentee.astype(np.int64) * m + cols[at]

    found = map_blocks(top_of_columns, block_ranges(len(short), n, pairs))
    return np.concatenate([np.zeros(0, dtype=np.int64), *found])


def _ranges(n: int, m: int, block: int) -> list[tuple[int, int]]:
    """Blocks of at most ``block`` mentees and about ``BLOCK_PAIRS`` pairs."""
    return block_ranges(n, m, pairs=min(BLOCK_PAIRS, block * max(m, 1)))
