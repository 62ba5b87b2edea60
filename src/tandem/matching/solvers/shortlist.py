"""`optimal` on large graphs: solve on a shortlist of each mentee's best edges, then grow the
shortlist only where the certificate says it is short, until the answer is proven optimal on
the whole graph.

Most of a dense graph can never be in an optimal assignment. The min-cost flow runs on the
``SHORTLIST_PER_MENTEE`` best edges of each mentee (``SPARSE_SHORTLIST_PER_MENTEE`` on a graph
too sparse for a score table). Two certificates from that flow are then
checked against *every* edge of the graph in one pass (see ``grow``): the König cut from the
residual graph's reachability proves the cardinality, and the flow's duals (node potentials
of its residual graph, warm-started from the previous round) prove the total. The few best
edges of each mentee where either fails join the shortlist, and the flow is solved again.
When nothing fails, the shortlist's solution is optimal for the whole graph: no whole-graph
max-flow and no whole-graph potentials are ever computed.

This works inside one graph; candidate generation's refill and all-pairs proof
(``tandem.matching.candidates``) decide which pairs are in the graph at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bounds import Duals, flow_duals
from tandem.matching.solvers.flow import (
    IntegerWeights,
    integer_weights,
    max_assignment,
    optimal_edges,
)
from tandem.matching.solvers.grow import (
    CUT_PER_MENTEE,
    Table,
    best_per_mentee,
    cut_failures,
    dual_failures,
    table_of,
)
from tandem.matching.solvers.order import best_columns, list_starts, mentee_order
from tandem.matching.solvers.repair import repair

SHORTLIST_PER_MENTEE = 12
# On a sparse graph (no score table) the first shortlist is shorter: the candidate lists are
# already each mentee's best, and the min-cost flow's time follows its arcs (100,000 x 20,000
# with 50 pairs each: one flow of 600,000 arcs proves it, 1.2 s of CPU against 1.9 s for
# 1.2 million). A graph with at most ``2 * SHORTLIST_PER_MENTEE`` pairs a mentee is solved
# whole either way.
SPARSE_SHORTLIST_PER_MENTEE = 6
# Rounds of growing before one flow on the whole graph (each round adds an edge at least).
MAX_SHORTLIST_ROUNDS = 40
# A shortlist holding more than this share of the graph's pairs is solved as the whole graph
# instead: one min-cost flow and its potentials cost less than the rounds still to come
# (rank-1 scores, 10,000 x 2,000 with 50 pairs a mentee: the shortlist reached 66 % of the
# pairs in 11 rounds, 1.9 s of CPU against 0.45 s for the whole graph).
MAX_SHORTLIST_SHARE = 0.4


@dataclass(frozen=True)
class Proven:
    """An optimal assignment (edge id per mentee, or -1) with mentor prices for the bound."""

    edge_of: np.ndarray
    prices: np.ndarray
    rounds: int  # shortlist rounds; -1: solved directly on the whole graph
    shortlist: np.ndarray | None = None  # the final shortlist's edge ids; None: all
    # The node potentials that prove it (``bounds.Duals.potential``, on every pair of the
    # graph) and the integer scale they are in, for re-optimising from it (``fair``).
    potential: np.ndarray | None = None
    scale: IntegerWeights | None = None


def best_edges(graph: CandidateGraph, k: int) -> np.ndarray:
    """Boolean mask of each mentee's ``k`` highest-scoring edges.

    Equal scores at the k-th place are kept in each mentee's own rotation of the mentors
    (``order.best_columns``), so that tied mentees start from different mentors; which ones
    does not matter otherwise: the result is proven on the whole graph.
    """
    keep = _best_edges_by_rows(graph, k)
    if keep is not None:
        return keep
    order = mentee_order(graph, graph.score)
    starts = list_starts(graph)
    degree = np.diff(starts)
    rank = np.arange(graph.n_edges) - np.repeat(starts[:-1], degree)
    keep = np.zeros(graph.n_edges, dtype=bool)
    keep[order[rank < k]] = True
    return keep


def _best_edges_by_rows(graph: CandidateGraph, k: int) -> np.ndarray | None:
    """:func:`best_edges` in O(edges) for edges grouped by mentee with similar degrees (a
    dense graph, perhaps with a few pairs forbidden): one partial sort per row of the scores
    laid out as a padded table. None for any other layout."""
    n, edges = graph.n_mentees, graph.n_edges
    if n == 0 or edges == 0 or np.any(np.diff(graph.mentee) < 0):
        return None
    starts = np.searchsorted(graph.mentee, np.arange(n + 1))
    degree = np.diff(starts)
    width = int(degree.max())
    if width <= k:
        return np.ones(edges, dtype=bool)
    if n * width > edges + edges // 4:
        return None
    if n * width == edges:
        table = graph.score.reshape(n, width)
    else:
        row = graph.mentee.astype(np.int64)
        table = np.full((n, width), -np.inf)
        table[row, np.arange(edges) - starts[row]] = graph.score
    best = best_columns(table, k, starts[:-1], graph.mentor, np.arange(n), graph.n_mentors)
    real = best < degree[:, None]
    keep = np.zeros(edges, dtype=bool)
    keep[(best + starts[:-1, None])[real]] = True
    return keep


def _direct(graph: CandidateGraph, span: tuple[float, float] | None) -> Proven:
    weights = integer_weights(graph.score, graph.n_mentees + graph.n_mentors, span)
    edge_of = optimal_edges(graph, weights)
    duals = flow_duals(graph, weights, edge_of)
    potential = duals.potential if duals.converged else None
    scale = IntegerWeights(np.empty(0, np.int64), weights.offset, weights.step)
    return Proven(edge_of, duals.mentor * weights.step, -1, None, potential, scale)


def _above(graph: CandidateGraph, k: int | None, start: np.ndarray | None, floor: float) -> Proven:
    """:func:`proven_optimal` with ``floor`` on a copy of the graph without the pairs below."""
    kept = np.flatnonzero(graph.score >= floor)
    if start is not None:
        start = np.searchsorted(kept, start[graph.score[start] >= floor])
    proven = proven_optimal(take(graph, kept), k, start)
    edge_of = np.where(proven.edge_of >= 0, kept[np.maximum(proven.edge_of, 0)], -1)
    shortlist = None if proven.shortlist is None else kept[proven.shortlist]
    return Proven(edge_of, proven.prices, proven.rounds, shortlist, proven.potential, proven.scale)


def take(graph: CandidateGraph, ids: np.ndarray) -> CandidateGraph:
    """The graph restricted to its edges ``ids`` (same node indices, no preferences)."""
    return CandidateGraph(
        graph.n_mentees,
        graph.n_mentors,
        graph.mentee[ids],
        graph.mentor[ids],
        graph.score[ids],
        graph.capacity,
    )


class _Shortlist:
    """The shortlist: its edge ids, sorted (``ids``), and the graph of those edges (``part``,
    edge ``k`` is ``ids[k]``), grown in place. The ids are merged with those that join,
    not found again by scanning a mask of every pair (on ``clustered``, 20 million: 0.008 s
    a scan, seven times a solve). Kept in the graph's order: the same shortlist with the
    joining pairs appended instead made the solve 0.05 s slower.
    """

    def __init__(self, graph: CandidateGraph, ids: np.ndarray) -> None:
        self.graph, self.member = graph, np.zeros(graph.n_edges, dtype=bool)
        self.ids, self.part = np.empty(0, np.int64), take(graph, np.empty(0, np.int64))
        self.add(ids)

    def add(self, ids: np.ndarray) -> None:
        """Let the edges ``ids`` (of ``graph``; repeats and members are skipped) join."""
        ids = np.unique(ids[~self.member[ids]])
        self.member[ids] = True
        self.ids = np.sort(np.concatenate([self.ids, ids]), kind="stable")  # two sorted runs
        self.part = take(self.graph, self.ids)

    def too_large(self) -> bool:
        """Whether it holds too large a share of the graph to be worth it."""
        return len(self.ids) > MAX_SHORTLIST_SHARE * self.graph.n_edges


def _cut_growth(
    graph: CandidateGraph, table: Table | None, part: CandidateGraph, most: int
) -> tuple[np.ndarray, int]:
    """Edge ids of ``graph`` to add to the shortlist ``part`` for the cardinality certificate,
    from a max-flow of ``part`` (and how many it matched): empty when no assignment of
    ``graph`` can match more.

    A flow that matches ``most`` (every mentee, or every seat) needs no cut: no assignment
    matches more than that, so the whole graph is not read.
    """
    edge_of, reach = max_assignment(part)
    matched = int(np.count_nonzero(edge_of >= 0))
    if matched >= most:
        return np.empty(0, np.int64), matched
    load = np.bincount(part.mentor[edge_of[edge_of >= 0]], minlength=graph.n_mentors)
    room = load < graph.capacity
    if table is not None:
        return table.cut_failures(reach, room), matched
    return best_per_mentee(graph, *cut_failures(graph, reach, room), CUT_PER_MENTEE), matched


def _herded(matched: int, previous: int, most: int) -> bool:
    """Whether the cardinality rounds are too slow to be worth going on with: the last
    round's max-flow matched fewer new mentees than half of those still missing.

    That happens when every mentee's best pairs are the same few mentors (one rating for each
    mentor, or scores that are a mentee weight times a mentor weight): each round's cut then
    frees a few seats only, and on 10,000 x 2,000 with 200 pairs a mentee the shortlist took
    13 rounds and half the graph's pairs to match everyone.
    """
    return previous > 0 and 2 * (matched - previous) < most - matched


def _dual_growth(
    graph: CandidateGraph, table: Table | None, duals: Duals, scale: IntegerWeights
) -> np.ndarray:
    """Edge ids of ``graph`` to add to the shortlist for the total's certificate (``duals``
    of the shortlist's optimal flow): empty when it is optimal on ``graph``."""
    if table is not None:
        return table.dual_failures(duals)
    return best_per_mentee(graph, *dual_failures(graph, scale, duals))


def _total(
    graph: CandidateGraph,
    table: Table | None,
    scale: IntegerWeights,
    shortlist: _Shortlist,
    rounds: int,
) -> Proven | None:
    """The total's certificate, from min-cost flows on the ``shortlist`` (which reaches the
    maximum cardinality) and their duals, warm-started from the previous round's; grows the
    shortlist in place. None if it ran out of rounds or the potentials did not converge."""
    potential, used = None, np.empty(0, np.int64)  # the previous optimum's edge ids
    while rounds < MAX_SHORTLIST_ROUNDS:
        ids, part = shortlist.ids, shortlist.part
        weight = np.rint((part.score - scale.offset) / scale.step).astype(np.int64)
        weights = IntegerWeights(weight, scale.offset, scale.step)
        was_used = np.zeros(part.n_edges, dtype=bool)
        was_used[np.searchsorted(ids, used)] = True  # (ids only grow: each is there)
        edge_of, start = _optimum(part, weights, was_used, potential)
        duals = flow_duals(part, weights, edge_of, start=start)
        if not duals.converged:
            return None
        potential = duals.potential
        grown = _dual_growth(graph, table, duals, scale)
        if len(grown) == 0:
            full_edge_of = np.where(edge_of >= 0, ids[np.maximum(edge_of, 0)], -1)
            mentor = duals.mentor * weights.step
            return Proven(full_edge_of, mentor, rounds, ids, duals.potential, scale)
        shortlist.add(grown)
        if shortlist.too_large():
            return None
        rounds += 1
        used = ids[edge_of[edge_of >= 0]]
    return None


def _optimum(
    part: CandidateGraph, weights: IntegerWeights, used: np.ndarray, potential: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """A least-cost maximum flow of ``part`` (edge id per mentee) and potentials to start its
    duals from: re-optimised from the previous round's optimum ``used`` (a mask over
    ``part``'s edges) and ``potential`` when it settles (``repair``), else solved afresh."""
    if potential is not None:
        repaired = repair(part, weights.weight, used, potential)
        if repaired is not None:
            edge_of, labels = repaired
            return edge_of, labels - labels.max()
    return optimal_edges(part, weights), potential


def proven_optimal(
    graph: CandidateGraph,
    k: int | None = None,
    start: np.ndarray | None = None,
    floor: float | None = None,
) -> Proven:
    """Most matched, then the highest total: solved on a shortlist, proven on the whole graph.

    ``start`` (edge ids) joins the first shortlist. With ``floor``, only the pairs scoring at
    least ``floor`` are used (the graph's score table, if it has one, is built without the
    others rather than copying the graph). The shortlist first grows by max-flows
    (cheap, no costs) until the König cut proves that no assignment of the whole graph matches
    more, then by min-cost flows until their duals prove the total. Falls back to one
    min-cost flow on the whole graph when the graph is already sparse, after
    ``MAX_SHORTLIST_ROUNDS`` rounds, when the cardinality rounds make too little progress
    (:func:`_herded`) or when the shortlist grows past ``MAX_SHORTLIST_SHARE`` of the graph.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [0.9, 0.8, 0.7, 0.1],
    ...                               [1, 1])
    >>> proven_optimal(g, k=1).edge_of.tolist()
    [1, 2]
    """
    n_nodes = graph.n_mentees + graph.n_mentors
    # The scores' own range (not widened to 0: scores offset far from 0 kept their spread
    # in a few integer steps). An empty graph has none.
    span = (float(graph.score.min()), float(graph.score.max())) if graph.n_edges else (0.0, 0.0)
    scale = integer_weights(np.array(span), n_nodes, span)
    direct = graph.n_edges <= 2 * (k or SHORTLIST_PER_MENTEE) * graph.n_mentees
    table = None if direct else table_of(graph, scale, floor)
    if floor is not None and table is None:
        return _above(graph, k, start, floor)
    if direct:
        return _direct(graph, None)
    first = k or (SHORTLIST_PER_MENTEE if table is not None else SPARSE_SHORTLIST_PER_MENTEE)
    # Mentors' own lists help reach the cardinality; a ``start`` (fair's floor search) has.
    per_mentor = min(graph.n_mentees, 2 * int(graph.capacity.max(initial=0)) + 2)
    per_mentor = 0 if start is not None else per_mentor
    ids = (
        table.best(first, per_mentor)
        if table is not None
        else np.flatnonzero(best_edges(graph, first))
    )
    shortlist = _Shortlist(graph, ids if start is None else np.concatenate([ids, start]))
    rounds, most = 0, min(graph.n_mentees, int(graph.capacity.clip(min=0).sum()))
    previous = 0
    while rounds < MAX_SHORTLIST_ROUNDS:  # 1. cardinality, by max-flows
        grown, matched = _cut_growth(graph, table, shortlist.part, most)
        if len(grown) == 0:
            break
        shortlist.add(grown)
        if _herded(matched, previous, most) or shortlist.too_large():
            return _direct(graph, span) if floor is None else _above(graph, k, start, floor)
        previous = matched
        rounds += 1
    proven = _total(graph, table, scale, shortlist, rounds)
    if proven is not None:
        return proven
    return _direct(graph, span) if floor is None else _above(graph, k, start, floor)
