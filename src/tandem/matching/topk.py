"""Top-k candidate search for large inputs: a cheap upper bound on the score, in blocks.

The cheap score of a pair is an upper bound on the weighted sum of every criterion except
``working_style``, built from matrix products so a block of mentees against all mentors costs
a few BLAS calls:

- goals: the exact clipped cosine;
- availability: overlap counted in whole UTC hours (>= the overlap in 15-minute slots);
- skills, cadence: exact, as products of one-hot rows and lookup columns;
- format: ignores the city (a same-city requirement can only lower it);
- seniority: levels rounded to half steps in the pair's favour;
- identity: the number of shared identities (>= "shares one").

The bound includes a deterministic jitter ``a_i + b_j`` below ``JITTER`` (ties would otherwise
make "the k-th best" ill-defined; per-mentor terms break ties within a mentee's row, per-mentee
terms within a mentor's column, and both ride along in the matrix product for free); a
mentee's non-candidates then have jittered cheap scores at most the
(k+1)-th best, which bounds their full score once ``working_style`` is added at its maximum.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy as sp

from tandem.matching.features import (
    AVAILABILITY_FULL_HOURS,
    NEUTRAL,
    NEUTRAL_GOALS,
    SENIORITY_FULL_GAP,
    FeatureSpace,
)

JITTER = 1e-6
UNCOUNTED = ("working_style",)  # criteria the cheap score leaves out (bounded by 1)
_SENIORITY_STEPS = 21  # 0, 0.5, ..., 10; index 21 is "unknown"


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(codes), width), dtype=np.float32)
    out[np.arange(len(codes)), codes] = 1.0
    return out


def _hours(bits: np.ndarray) -> np.ndarray:
    """Bitsets of 15-minute slots -> 0/1 per UTC hour of the week (n, 168)."""
    slots = np.unpackbits(bits.view(np.uint8), axis=1, bitorder="little")[:, : 168 * 4]
    return slots.reshape(len(bits), 168, 4).any(axis=2).astype(np.float32)


def _seniority_codes(values: np.ndarray, round_up: bool) -> np.ndarray:
    steps = np.ceil(values * 2) if round_up else np.floor(values * 2)
    return np.where(np.isnan(values), _SENIORITY_STEPS, np.nan_to_num(steps)).astype(np.int64)


def _seniority_table(reverse: bool) -> np.ndarray:
    mentee = np.arange(_SENIORITY_STEPS + 1)[:, None] / 2
    mentor = np.arange(_SENIORITY_STEPS + 1)[None, :] / 2
    gap = mentee - mentor if reverse else mentor - mentee
    table = np.clip((1.0 + gap) / (1.0 + SENIORITY_FULL_GAP), 0.0, 1.0)
    table[_SENIORITY_STEPS, :] = table[:, _SENIORITY_STEPS] = NEUTRAL
    return table


def _cadence_table() -> np.ndarray:
    codes = np.arange(5)
    table = 1.0 - np.abs(codes[:, None] - codes[None, :]) / 3.0
    table[4, :] = table[:, 4] = NEUTRAL  # code 4: unknown
    return table


_FORMAT_TABLE = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])


class CheapBound:
    """Per-block cheap upper bound, in the same units as the full score.

    Parameters
    ----------
    space : FeatureSpace
    weights : mapping
        Resolved weights.
    dense_vocabulary : int
        Skill and identity tags up to this many are handled as dense columns of one matrix
        product; more go through a sparse product.

    Notes
    -----
    With non-negative embeddings (the built-in embedder's) the cosine needs no clipping, so
    goals, skills, identity, cadence, format and seniority are one matrix product ``L @ R``
    plus a per-mentee constant; availability is a second product, then capped at 1.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import resolve_weights
    >>> space = FeatureSpace([Mentee(id="a", cadence="weekly")], [Mentor(id="m")])
    >>> bound = CheapBound(space, resolve_weights())
    >>> float(bound.block(0, 1)[0, 0]) >= 0
    True
    """

    def __init__(self, space: FeatureSpace, weights: Mapping[str, float], dense_vocabulary=256):
        total = sum(weights.values())
        self.w = w = {name: value / total for name, value in weights.items()}
        a, b = space.mentee, space.mentor
        left, right = self._categories(space, w)
        self.const_a = np.zeros(len(a.ids), dtype=np.float32)
        self.text_linear = bool((a.text >= 0).all() and (b.text >= 0).all())
        if self.text_linear:
            left += [w["goals"] * a.text, a.has_text[:, None]]
            right += [b.text.T, w["goals"] * NEUTRAL_GOALS * ~b.has_text[None, :]]
            self.const_a += w["goals"] * NEUTRAL_GOALS * ~a.has_text
        else:
            self.text_a, self.text_b = a.text, np.ascontiguousarray(b.text.T)
            self.text_known_a, self.text_known_b = a.has_text, b.has_text
        tags_a, tags_b = self._tags(space, w)
        self.sparse_a = self.sparse_bt = None
        if tags_a.shape[1] <= dense_vocabulary:
            left.append(tags_a.toarray())
            right.append(tags_b.toarray().T)
        else:
            self.sparse_a, self.sparse_bt = tags_a.tocsr(), tags_b.tocsr().astype(np.float32)
        left.append(np.ones((len(a.ids), 1)))
        right.append(_jitter(len(b.ids), 1)[None, :])
        self.const_a += _jitter(len(a.ids), 2)
        self.left = np.ascontiguousarray(np.hstack(left), dtype=np.float32)
        self.right = np.ascontiguousarray(np.vstack(right), dtype=np.float32)
        self.hours_a, self.hours_b = _hours(a.availability), _hours(b.availability).T.copy()
        self.avail_known_a, self.avail_known_b = a.has_availability, b.has_availability

    @staticmethod
    def _categories(space: FeatureSpace, w) -> tuple[list, list]:
        a, b = space.mentee, space.mentor
        cad_a, cad_b = np.where(a.cadence < 0, 4, a.cadence), np.where(b.cadence < 0, 4, b.cadence)
        sen_a = _seniority_codes(a.seniority, round_up=space.reverse)
        sen_b = _seniority_codes(b.seniority, round_up=not space.reverse)
        left = [_one_hot(cad_a, 5), _one_hot(a.format, 3), _one_hot(sen_a, _SENIORITY_STEPS + 1)]
        right = [
            w["cadence"] * _cadence_table()[:, cad_b],
            w["format"] * _FORMAT_TABLE[:, b.format],
            w["seniority"] * _seniority_table(space.reverse)[:, sen_b],
        ]
        return left, right

    def _tags(self, space: FeatureSpace, w):
        """Skills (exact share of wanted) and identity (count shared, for those who asked)."""
        a, b = space.mentee, space.mentor
        wanted, offered = np.diff(a.skills.indptr), np.diff(b.skills.indptr)
        scale = sp.sparse.diags_array(1.0 / np.maximum(wanted, 1))
        asked = sp.sparse.diags_array(a.prefer_identity.astype(np.float64))
        tags_a = sp.sparse.hstack(
            [scale @ a.skills, sp.sparse.csr_array((wanted > 0)[:, None]), asked @ a.identity]
        )
        tags_b = sp.sparse.hstack(
            [
                w["skills"] * b.skills,
                sp.sparse.csr_array(w["skills"] * NEUTRAL * (offered == 0)[:, None]),
                w["identity"] * b.identity,
            ]
        )
        self.const_a += (
            w["skills"] * NEUTRAL * (wanted == 0) + w["identity"] * NEUTRAL * ~a.prefer_identity
        )
        return tags_a, tags_b

    def block(self, start: int, stop: int) -> np.ndarray:
        """Cheap bound for mentees ``start:stop`` against every mentor, float32."""
        return self.take(slice(start, stop))

    def take(self, rows: slice | np.ndarray) -> np.ndarray:
        """Cheap bound for the mentees ``rows`` (a slice or indices) against every mentor."""
        cheap = self.left[rows] @ self.right
        cheap += self.const_a[rows, None]
        if not self.text_linear:
            text = self.text_a[rows] @ self.text_b
            np.clip(text, 0.0, 1.0, out=text)
            _fill_unknown(text, self.text_known_a[rows], self.text_known_b, NEUTRAL_GOALS)
            text *= np.float32(self.w["goals"])
            cheap += text
        if self.sparse_a is not None:
            tags = self.sparse_bt @ self.sparse_a[rows].toarray().T
            cheap += np.ascontiguousarray(np.asarray(tags).T)
        hours = self.hours_a[rows] @ self.hours_b
        hours *= np.float32(1.0 / AVAILABILITY_FULL_HOURS)
        np.minimum(hours, np.float32(1.0), out=hours)
        _fill_unknown(hours, self.avail_known_a[rows], self.avail_known_b, NEUTRAL)
        hours *= np.float32(self.w["availability"])
        cheap += hours
        return cheap

    def uncounted(self) -> float:
        """Largest score share the cheap bound leaves out."""
        return float(sum(self.w[name] for name in UNCOUNTED))


def _fill_unknown(values: np.ndarray, known_rows, known_cols, neutral: float) -> None:
    """Pairs where either side left the field empty score ``neutral``."""
    values[~known_rows, :] = neutral
    values[:, ~known_cols] = neutral


def _jitter(size: int, seed: int) -> np.ndarray:
    """Fixed pseudo-random values in [0, JITTER / 2): the same input, the same candidates."""
    return np.random.default_rng(seed).random(size) * (JITTER / 2)


def top_per_row(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns of each row's k largest finite values, and per row the (k+1)-th value
    (an upper bound on every value left out; -inf if none was left out)."""
    n, m = values.shape
    if m <= k:
        rows, cols = np.nonzero(np.isfinite(values))
        return rows, cols, np.full(n, -np.inf)
    part = np.partition(values, (m - k - 1, m - k), axis=1)
    kth, next_value = part[:, m - k], part[:, m - k - 1]
    rows, cols = np.nonzero((values >= kth[:, None]) & np.isfinite(values))
    return rows, cols, next_value.astype(np.float64)


class MentorBest:
    """Good mentees for every mentor: the best of each block, then each mentor's k best.

    Taking ``ceil(k / blocks)`` per block (one, for large inputs) costs one pass over the
    block instead of a per-column selection; with at least ``k`` blocks every mentor still
    gets ``k`` candidates, from different blocks.
    """

    def __init__(self, m: int, k: int, n_blocks: int):
        self.k, self.m = k, m
        self.per_block = max(1, -(-k // max(n_blocks, 1)))
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def update(self, values: np.ndarray, start: int) -> None:
        if values.shape[0] <= self.per_block:
            rows, cols = np.nonzero(np.isfinite(values))
        elif self.per_block == 1:
            rows, cols = np.nonzero(values == values.max(axis=0)[None, :])
        else:
            columns = np.ascontiguousarray(values.T)
            kth = np.partition(columns, columns.shape[1] - self.per_block, axis=1)
            rows, cols = np.nonzero(values >= kth[:, -self.per_block][None, :])
        found = values[rows, cols]
        keep = np.isfinite(found)
        self.parts.append((rows[keep] + start, cols[keep], found[keep]))

    def keys(self) -> np.ndarray:
        if not self.parts:
            return np.zeros(0, dtype=np.int64)
        rows, cols, vals = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        order = np.argsort(cols * 4.0 - vals, kind="stable")  # by mentor, best first
        rows, cols = rows[order], cols[order]
        rank = np.arange(len(cols)) - np.searchsorted(cols, cols)
        chosen = rank < self.k
        return rows[chosen].astype(np.int64) * self.m + cols[chosen]
