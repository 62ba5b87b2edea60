"""`optimal` on large graphs: solve on a shortlist of each mentee's best edges, then grow the
shortlist until the answer is proven optimal on the whole graph.

Most of a dense graph can never be in an optimal assignment. The min-cost flow runs on the
``SHORTLIST_PER_MENTEE`` best edges of each mentee; the optimal flow's duals (see
``bounds.flow_duals``) are then checked against *every* edge of the graph. An edge with a
positive reduced cost joins the shortlist and the flow is solved again. When no edge is
violated the duals are feasible for the whole graph and satisfy complementary slackness with
the shortlist's solution, so by LP duality it is optimal for the whole graph. Cardinality is
checked separately, with a max-flow on the whole graph when needed.

This works inside one graph; candidate generation's refill and all-pairs proof
(``tandem.matching.candidates``) decide which pairs are in the graph at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bounds import Duals, flow_duals
from tandem.matching.solvers.constraints import subgraph
from tandem.matching.solvers.flow import (
    IntegerWeights,
    integer_weights,
    max_cardinality,
    optimal_edges,
)
from tandem.matching.solvers.order import CHUNK, list_starts, mentee_order

SHORTLIST_PER_MENTEE = 12
MAX_SHORTLIST_ROUNDS = 8


@dataclass(frozen=True)
class Proven:
    """An optimal assignment (edge id per mentee, or -1) with mentor prices for the bound."""

    edge_of: np.ndarray
    prices: np.ndarray
    rounds: int  # shortlist rounds; -1: solved directly on the whole graph


def best_edges(graph: CandidateGraph, k: int) -> np.ndarray:
    """Boolean mask of each mentee's ``k`` highest-scoring edges.

    Which of several equal scores at the k-th place is kept does not matter: they are only
    where the shortlist starts, and the result is proven on the whole graph.
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
    """:func:`best_edges` in O(edges) for a dense graph (edges grouped by mentee, every
    mentee with the same degree): one partial sort per row of the scores seen as a table.
    None for any other layout."""
    n, edges = graph.n_mentees, graph.n_edges
    if n == 0 or edges % n or np.any(np.diff(graph.mentee) < 0):
        return None
    width = edges // n
    if np.any(np.searchsorted(graph.mentee, np.arange(n)) != np.arange(n) * width):
        return None
    if width <= k:
        return np.ones(edges, dtype=bool)
    best = np.argpartition(-graph.score.reshape(n, width), k - 1, axis=1)[:, :k]
    keep = np.zeros(edges, dtype=bool)
    keep[(best + np.arange(n)[:, None] * width).ravel()] = True
    return keep


def _violated(graph: CandidateGraph, weights: IntegerWeights, duals: Duals) -> np.ndarray:
    """Edges whose integer weight exceeds the dual sum: the certificate fails there."""
    low, step = weights.offset, weights.step
    found = []
    for lo in range(0, graph.n_edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        weight = np.rint((graph.score[part] - low) / step).astype(np.int64)
        cover = duals.mentee[graph.mentee[part]] + duals.mentor[graph.mentor[part]]
        found.append(np.flatnonzero(weight > cover + duals.shift) + lo)
    return np.concatenate(found) if found else np.empty(0, np.int64)


def _most_matchable(graph: CandidateGraph) -> int:
    """A quick upper bound on the maximum cardinality."""
    with_edges = np.count_nonzero(np.bincount(graph.mentee, minlength=graph.n_mentees))
    degree = np.bincount(graph.mentor, minlength=graph.n_mentors)
    return int(min(with_edges, np.minimum(graph.capacity, degree).sum()))


def _direct(graph: CandidateGraph, span: tuple[float, float] | None) -> Proven:
    weights = integer_weights(graph.score, graph.n_mentees + graph.n_mentors, span)
    edge_of = optimal_edges(graph, weights)
    duals = flow_duals(graph, weights, edge_of)
    return Proven(edge_of, duals.mentor * weights.step, -1)


def proven_optimal(graph: CandidateGraph, k: int | None = None) -> Proven:
    """Most matched, then the highest total: solved on a shortlist, proven on the whole graph.

    Falls back to one min-cost flow on the whole graph when the graph is already sparse,
    when the shortlist loses cardinality, or after ``MAX_SHORTLIST_ROUNDS`` rounds.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [0.9, 0.8, 0.7, 0.1],
    ...                               [1, 1])
    >>> proven_optimal(g, k=1).edge_of.tolist()
    [1, 2]
    """
    k = SHORTLIST_PER_MENTEE if k is None else k
    if graph.n_edges <= 2 * k * graph.n_mentees:
        return _direct(graph, None)
    n_nodes = graph.n_mentees + graph.n_mentors
    span = (float(graph.score.min()), float(graph.score.max()))
    keep = best_edges(graph, k)
    needed = _most_matchable(graph)
    for rounds in range(MAX_SHORTLIST_ROUNDS):
        ids = np.flatnonzero(keep)
        part = subgraph(graph, keep)
        weights = integer_weights(part.score, n_nodes, span)
        edge_of = optimal_edges(part, weights)
        matched = int(np.count_nonzero(edge_of >= 0))
        if matched < needed:
            needed = max_cardinality(graph)  # exact, computed at most once
            if matched < needed:
                return _direct(graph, span)
        duals = flow_duals(part, weights, edge_of)
        violated = _violated(graph, weights, duals) if duals.converged else None
        if violated is not None and len(violated) == 0:
            full_edge_of = np.where(edge_of >= 0, ids[np.maximum(edge_of, 0)], -1)
            return Proven(full_edge_of, duals.mentor * weights.step, rounds)
        if violated is None:
            break
        keep[violated] = True
    return _direct(graph, span)
