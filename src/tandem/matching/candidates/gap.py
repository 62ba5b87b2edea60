"""Closing the gap: the all-pairs proof run on a candidate set.

After a solve on top-k candidates, :func:`check_candidates` makes one blockwise pass of the
cheap bound over every allowed pair with the solution's mentor prices
(:func:`~tandem.matching.candidates.proof.check_all_pairs`): it bounds the best total over all
pairs and finds the pairs the candidates missed. The pipeline adds those
(:func:`~tandem.matching.candidates.generate.add_pairs`) and solves again while a gap is left.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from tandem.matching.candidates.blocks import Index, ScratchBuffers
from tandem.matching.candidates.generate import CandidateSet
from tandem.matching.candidates.proof import FLOAT32_SLACK, PairCheck, check_all_pairs, edge_ids
from tandem.matching.candidates.scoring import edge_scores
from tandem.matching.features import FeatureSpace
from tandem.matching.graph import CandidateGraph

NO_ROWS = np.zeros(0, dtype=np.int64)


class WithoutPins(NamedTuple):
    """A graph without the pinned mentees' edges and seats, the assignment on it, and the
    pinned pairs' total score (fixed, so the proof leaves those mentees out)."""

    graph: CandidateGraph
    mentor_of: np.ndarray
    pinned_total: float


def without_pins(
    graph: CandidateGraph, mentor_of: ArrayLike, pins: list[tuple[int, int]]
) -> WithoutPins:
    """``graph`` and the assignment ``mentor_of`` on it without the pinned pairs ``pins``
    (mentee, mentor indices).

    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.9, 0.5], [2])
    >>> rest = without_pins(g, [0, 0], [(0, 0)])
    >>> rest.graph.n_edges, rest.graph.capacity.tolist(), rest.mentor_of.tolist(), rest.pinned_total
    (1, [1], [-1, 0], 0.9)
    """
    mentor_of = np.asarray(mentor_of)
    if not pins:
        return WithoutPins(graph, mentor_of, 0.0)
    mentees, mentors = (np.array(side, dtype=np.int64) for side in zip(*pins, strict=True))
    keep = ~np.isin(graph.mentee, mentees)
    seats = graph.capacity - np.bincount(mentors, minlength=graph.n_mentors)
    rest = CandidateGraph.from_edges(
        graph.n_mentees,
        graph.n_mentors,
        graph.mentee[keep],
        graph.mentor[keep],
        graph.score[keep],
        np.maximum(seats, 0),
    )
    pinned_total = math.fsum(graph.score[edge_ids(graph, mentor_of)[mentees]].tolist())
    mentor_of = mentor_of.copy()
    mentor_of[mentees] = -1
    return WithoutPins(rest, mentor_of, pinned_total)


def check_candidates(
    space: FeatureSpace,
    weights: Mapping[str, float],
    found: CandidateSet,
    graph: CandidateGraph,
    prices: np.ndarray,
    skip: np.ndarray = NO_ROWS,
) -> PairCheck:
    """The all-pairs proof of a top-k candidate set: ``graph`` (``found.graph``, or it
    :func:`without_pins`) solved with mentor ``prices``; the mentees ``skip`` (sorted: the
    pinned ones) are allowed no pair.

    Notes
    -----
    One pass of the cheap bound over the pairs that can still raise a mentee's value, on
    every core: a pair outside the graph is at most the mentee's ``cheap_outside`` (the top-k
    pass's bound), so mentors priced above that are skipped; see
    :func:`~tandem.matching.candidates.proof.check_all_pairs`.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import resolve_weights
    >>> from tandem.matching.candidates.generate import generate_candidates
    >>> space = FeatureSpace([Mentee(id="a"), Mentee(id="b")], [Mentor(id="m"), Mentor(id="n")])
    >>> found = generate_candidates(space, resolve_weights(), dense_limit=0, top_k=2)
    >>> check = check_candidates(space, resolve_weights(), found, found.graph, np.zeros(2))
    >>> len(check.missed), check.matchable
    (0, 2)
    """
    cheap, rules = found.top_k_parts()
    counts, outside = rules.counts(), None
    if counts is not None and found.cheap_outside is not None:
        # The pair's block value may round differently from the top-k pass's, each within
        # FLOAT32_SLACK of the exact cheap score.
        outside = found.cheap_outside + 2 * FLOAT32_SLACK
    return check_all_pairs(
        graph,
        prices,
        _cheap_blocks(found, skip),
        lambda i, j: edge_scores(space, weights, i, j, workers=1),
        uncounted=cheap.uncounted(),
        counts=counts,
        outside=outside,
    )


def _cheap_blocks(
    found: CandidateSet, skip: np.ndarray
) -> Callable[[Index, Index], tuple[np.ndarray, np.ndarray]]:
    """``load(rows, cols) -> (values, allowed)`` for the mentees ``rows`` (a slice or sorted
    indices) and the mentors ``cols`` (every one, or sorted indices): the cheap upper bound of
    each pair in float32 (in a per-thread buffer, valid until that thread's next call) and
    which pairs the hard constraints allow; the mentees ``skip`` are allowed no pair. Safe to
    call from several threads at once."""
    n, m = found.graph.n_mentees, found.graph.n_mentors
    cheap, rules = found.top_k_parts()
    values = ScratchBuffers()

    def load(rows: Index, cols: Index) -> tuple[np.ndarray, np.ndarray]:
        ids = np.arange(*rows.indices(n)) if isinstance(rows, slice) else rows
        width = len(range(*cols.indices(m))) if isinstance(cols, slice) else len(cols)
        block = cheap.take(rows, cols, out=values.get((len(ids), width)))
        if isinstance(rows, slice) and isinstance(cols, slice):
            allowed = rules.allowed(int(ids[0]), int(ids[-1]) + 1)[:, cols]
        else:
            allowed = rules.allowed_rows(ids, cols)
        allowed[np.isin(ids, skip)] = False
        return block, allowed

    return load
