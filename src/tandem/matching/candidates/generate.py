"""Hard constraints and candidate generation: from a :class:`FeatureSpace` to a
:class:`~tandem.matching.graph.CandidateGraph`.

Small inputs (``n * m <= dense_limit``) keep every allowed pair. Large ones keep, per mentee,
the ``top_k`` mentors by a cheap upper bound on the score
(:mod:`tandem.matching.candidates.cheap`, computed on dense blocks of mentees) and, per
mentor, its ``top_k`` mentees, so memory grows with ``(n + m) k``.
The full score of a pair outside the graph is at most its cheap score plus the largest possible
contribution of the other criteria; ``outside_bound`` records that bound per mentee, so a solver
can prove how far its answer can be from the optimum over all pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tandem.matching.candidates.blocks import (
    ScratchBuffers,
    map_blocks,
)
from tandem.matching.candidates.cheap import CheapBound
from tandem.matching.candidates.rules import (
    CONSTRAINTS,
    PairRules,
    _allowed_block,
    _check_pins,
    _unique,
    blocked_pairs,
    pair_keys,
)
from tandem.matching.candidates.scoring import _dense_pass, _graph, _merge
from tandem.matching.candidates.topk import MENTOR_SIDE_PAIRS, _mentor_side, _ranges, top_per_row
from tandem.matching.features import (
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
)
from tandem.matching.graph import CandidateGraph

DENSE_LIMIT = 20_000_000
DEFAULT_TOP_K = 20  # enough with the all-pairs bound: missed pairs are added back
BOUND_SLACK = 1e-5  # float32 rounding between the dense and the edge computations
NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass
class CandidateSet:
    """A candidate graph plus what candidate generation learned on the way.

    ``removed[i, c]`` counts the mentors that constraint ``CONSTRAINTS[c]`` ruled out for
    mentee ``i`` (a pair broken by two constraints counts for both); it is filled only for
    mentees left with no allowed pair, the ones whose reason names a constraint.
    """

    graph: CandidateGraph
    outside_bound: np.ndarray | None
    removed: np.ndarray
    dense: bool
    cheap: CheapBound | None = None
    rules: PairRules | None = None


def build_candidates(
    space: FeatureSpace,
    weights: Mapping[str, float],
    *,
    rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    forbidden: Iterable[tuple[str, str]] = (),
    pinned: Iterable[tuple[str, str]] = (),
    top_k: int = DEFAULT_TOP_K,
    dense_limit: int = DENSE_LIMIT,
    block: int = 2048,
    progress: Callable[[int], None] | None = None,
) -> CandidateSet:
    """Apply the hard constraints and score the allowed pairs.

    Parameters
    ----------
    space : FeatureSpace
    weights : mapping
        Resolved weights (see :func:`~tandem.matching.features.resolve_weights`).
    rules : iterable of str
        Conflict rules in force: ``"manager"``, ``"department"``.
    forbidden, pinned : iterables of (mentee id, mentor id)
        Forbidden pairs are removed; pinned pairs are kept even outside the top-k.
    top_k : int
        Candidates per mentee (and per mentor) when ``n * m > dense_limit``.
    progress : callable, optional
        Called with the number of mentees just processed.

    Returns
    -------
    CandidateSet

    Raises
    ------
    ValueError
        ``PIN_NOT_ALLOWED`` when a pinned pair breaks a hard constraint; ``UNKNOWN_PAIR_ID``.

    Notes
    -----
    Dense: O(n m) time, memory O(allowed pairs). Top-k: O(n m d) time for the matrix
    products of :class:`~tandem.matching.candidates.cheap.CheapBound`, done in blocks of
    mentees, and O((n + m) k) memory for the result.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import FeatureSpace, resolve_weights
    >>> space = FeatureSpace([Mentee(id="a", languages=("de",))],
    ...                      [Mentor(id="m", languages=("en",)), Mentor(id="n", capacity=0)])
    >>> found = build_candidates(space, resolve_weights())
    >>> found.graph.n_edges, dict(zip(CONSTRAINTS, found.removed[0].tolist()))["language"]
    (0, 1)
    """
    rules = tuple(rules)
    blocked = blocked_pairs(space, forbidden)
    pins = pair_keys(space, pinned, "pin")
    _check_pins(space, pins, rules, blocked)
    pair_rules = PairRules(space, rules, blocked)
    n, m = len(space.mentees), len(space.mentors)
    removed = np.zeros((n, len(CONSTRAINTS)), dtype=np.int64)
    if n * m <= dense_limit:
        graph = _dense_pass(space, weights, pair_rules, removed, block, progress)
        return CandidateSet(graph=graph, outside_bound=None, removed=removed, dense=True)
    cheap = CheapBound(space, weights)
    values = ScratchBuffers()

    def top_of_block(start: int, stop: int):
        scores = cheap.block(start, stop, out=values.get((stop - start, m)))
        allowed = _allowed_block(pair_rules, start, stop, removed)
        rows, cols, left_out = top_per_row(scores, top_k, allowed)
        return start, stop, (rows + start).astype(np.int64) * m + cols, left_out

    keys, bounds = [], np.full(n, -np.inf)
    for start, stop, found, left_out in map_blocks(top_of_block, _ranges(n, m, block)):
        keys.append(found)
        bounds[start:stop] = left_out
        if progress:
            progress(stop - start)
    keys = np.concatenate(keys)
    more = _mentor_side(cheap, pair_rules, keys, top_k, MENTOR_SIDE_PAIRS)
    graph = _graph(space, weights, _unique(np.concatenate([keys, more, pins])))
    # A mentee with no allowed pair left outside: any bound holds, and 0 is the floor.
    outside = np.maximum(bounds, 0.0) + cheap.uncounted() + BOUND_SLACK
    return CandidateSet(
        graph=graph,
        outside_bound=outside,
        removed=removed,
        dense=False,
        cheap=cheap,
        rules=pair_rules,
    )


def cheap_block_loader(found: CandidateSet, skip: np.ndarray = NO_ROWS):
    """``load(start, stop) -> (values, allowed)`` for mentees ``start:stop`` (top-k mode
    only): the cheap upper bound of every pair in float32 (in a per-thread buffer, valid
    until that thread's next call) and which pairs the hard constraints allow; the mentees
    ``skip`` (sorted) are allowed no pair. Safe to call from several threads at once."""
    m = found.graph.n_mentors
    values = ScratchBuffers()

    def load(start: int, stop: int):
        block = found.cheap.block(start, stop, out=values.get((stop - start, m)))
        allowed = found.rules.allowed(start, stop)
        lo, hi = np.searchsorted(skip, [start, stop])
        allowed[skip[lo:hi] - start] = False
        return block, allowed

    return load


def add_pairs(space: FeatureSpace, weights, found: CandidateSet, keys: np.ndarray) -> int:
    """Add the allowed pairs ``keys`` (``i * m + j``, not yet in the graph) to ``found``."""
    if len(keys):
        found.graph = _merge(found.graph, _graph(space, weights, np.sort(keys)))
    return len(keys)
