"""Exact scores of chosen pairs, built into a :class:`~tandem.matching.graph.CandidateGraph`.

Every step that grows the candidate set (the dense pass, top-k, refill, the missed pairs of
the all-pairs proof) scores its new pairs here, with explicit rankings (``prefer``) lifted
into each side's preference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from tandem.matching.candidates.blocks import (
    block_ranges,
    for_each_block,
    nonzero_2d,
)
from tandem.matching.candidates.rules import PairRules, allowed_block
from tandem.matching.features import (
    FeatureSpace,
    combine,
    pair_features,
)
from tandem.matching.graph import CandidateGraph
from tandem.matching.profiles import Mentee, Mentor

EDGE_CHUNK = 1_000_000  # pairs of the dense pass scored at once
SCORE_CHUNK = 131_072  # pairs scored at once: their gathered features stay in cache
PREFERENCE_STEP = 2.0  # explicit rankings sit above every score (scores are <= 1)


def edge_scores(
    space: FeatureSpace,
    weights: Mapping[str, float],
    i: np.ndarray,
    j: np.ndarray,
    workers: int | None = None,
) -> np.ndarray:
    """Exact scores of the pairs ``(i[e], j[e])``, in chunks of ``SCORE_CHUNK`` on
    ``workers`` threads (by default every core; 1 from inside another pass's worker)."""
    score = np.empty(len(i))

    def score_chunk(lo: int, hi: int) -> None:
        score[lo:hi] = combine(pair_features(space, i[lo:hi], j[lo:hi]), weights)

    for_each_block(score_chunk, block_ranges(len(i), 1, SCORE_CHUNK), workers)
    return score


def dense_graph(
    space: FeatureSpace,
    weights: Mapping[str, float],
    pair_rules: PairRules,
    removed: np.ndarray,
    block: int,
    progress: Callable[[int], None] | None,
) -> CandidateGraph:
    """Every allowed pair, scored on dense blocks of mentees (matrix products, no gathers)."""
    n, m = len(space.mentees), len(space.mentors)
    rows = max(1, min(block, EDGE_CHUNK // max(m, 1)))
    mentees, mentors, scores = [], [], []
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        allowed = allowed_block(pair_rules, start, stop, removed)
        ei, ej = nonzero_2d(allowed)
        features = pair_features(space, np.arange(start, stop)[:, None], np.arange(m)[None, :])
        scores.append(combine(features, weights)[ei, ej])
        mentees.append(ei + start)
        mentors.append(ej)
        if progress:
            progress(stop - start)
    i = np.concatenate(mentees) if mentees else np.zeros(0, dtype=np.int64)
    j = np.concatenate(mentors) if mentors else np.zeros(0, dtype=np.int64)
    score = np.concatenate(scores) if scores else np.zeros(0)
    return _graph_from(space, i, j, score)


def merge_graphs(a: CandidateGraph, b: CandidateGraph) -> CandidateGraph:
    """The edges of ``a`` and ``b`` (no pair in both) in one graph, with ``a``'s capacities.

    >>> a = CandidateGraph.from_edges(1, 2, [0], [0], [0.5], [1, 1])
    >>> b = CandidateGraph.from_edges(1, 2, [0], [1], [0.7], [1, 1])
    >>> merge_graphs(a, b).n_edges
    2
    """

    def join(x: np.ndarray | None, y: np.ndarray | None) -> np.ndarray | None:
        return None if x is None or y is None else np.concatenate([x, y])

    return CandidateGraph.from_edges(
        a.n_mentees,
        a.n_mentors,
        np.concatenate([a.mentee, b.mentee]),
        np.concatenate([a.mentor, b.mentor]),
        np.concatenate([a.score, b.score]),
        a.capacity,
        join(a.mentee_pref, b.mentee_pref),
        join(a.mentor_pref, b.mentor_pref),
    )


def score_pairs(
    space: FeatureSpace, weights: Mapping[str, float], keys: np.ndarray
) -> CandidateGraph:
    """Score the pairs ``keys`` (``i * m + j``) edge by edge and build the graph.

    >>> from tandem.matching.features import resolve_weights
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> space = FeatureSpace([Mentee(id="a")], [Mentor(id="m"), Mentor(id="n")])
    >>> score_pairs(space, resolve_weights(), np.array([1])).mentor.tolist()
    [1]
    """
    m = len(space.mentors)
    i, j = np.divmod(keys, m) if m else (keys, keys)
    return _graph_from(space, i, j, edge_scores(space, weights, i, j))


def _graph_from(
    space: FeatureSpace, i: np.ndarray, j: np.ndarray, score: np.ndarray
) -> CandidateGraph:
    mentee_pref = _preference(score, i, j, space.mentees, space.mentor_index)
    mentor_pref = _preference(score, j, i, space.mentors, space.mentee_index)
    return CandidateGraph.from_edges(
        len(space.mentees),
        len(space.mentors),
        i,
        j,
        score,
        space.capacity,
        mentee_pref,
        mentor_pref,
    )


def _preference(
    score: np.ndarray,
    own: np.ndarray,
    other: np.ndarray,
    people: Sequence[Mentee] | Sequence[Mentor],
    other_index: Mapping[str, int],
) -> np.ndarray | None:
    """Score, lifted above every score for ids the person ranked in ``prefer``."""
    lifted = score.copy()
    listed = [(k, p.prefer) for k, p in enumerate(people) if p.prefer]
    if not listed:
        return None
    bonus: dict[tuple[int, int], float] = {}
    for k, prefer in listed:
        for rank, person in enumerate(prefer):
            if person in other_index:
                bonus[(k, other_index[person])] = (len(prefer) - rank) * PREFERENCE_STEP
    if bonus:
        pairs = np.fromiter((a * (1 << 32) + b for a, b in bonus), dtype=np.int64)
        edge = own.astype(np.int64) * (1 << 32) + other
        where = np.isin(edge, pairs)
        pairs_here = zip(own[where].tolist(), other[where].tolist(), strict=True)
        lifted[where] += [bonus[pair] for pair in pairs_here]
    return lifted
