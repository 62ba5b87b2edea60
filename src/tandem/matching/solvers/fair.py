"""The `fair` objective: most mentees matched, then the best worst-off score, then the total.

The worst-off score of a maximum matching is a bottleneck value, so it is found exactly by
binary search over the distinct edge scores: a floor ``t`` is achievable iff the graph keeps
its maximum cardinality when edges scoring below ``t`` are removed (one max-flow per probe).
The total is then maximised by min-cost flow on the graph above the best floor.
"""

from __future__ import annotations

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.constraints import subgraph
from tandem.matching.solvers.flow import max_cardinality
from tandem.matching.solvers.shortlist import proven_optimal


def _floor_ceiling(graph: CandidateGraph, k: int) -> float:
    """No floor above the k-th largest per-mentee best score can keep k mentees matched."""
    best = np.full(graph.n_mentees, -np.inf)
    np.maximum.at(best, graph.mentee, graph.score)
    return float(np.sort(best)[graph.n_mentees - k])


def best_floor(graph: CandidateGraph, k: int, achieved: float) -> float:
    """Largest score ``t`` such that some assignment matches ``k`` mentees, all at >= ``t``.

    Parameters
    ----------
    graph : CandidateGraph
    k : int
        The maximum cardinality of ``graph`` (at least 1).
    achieved : float
        The worst-off score of some maximum matching, a floor known to be achievable.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1], [0, 1, 0], [0.9, 0.3, 0.4], [1, 1])
    >>> best_floor(g, 2, 0.3)
    0.3
    """
    ceiling = _floor_ceiling(graph, k)
    values = np.unique(graph.score[(graph.score >= achieved) & (graph.score <= ceiling)])
    lo, hi = 0, len(values) - 1  # values[lo] is achievable; search the largest achievable
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if max_cardinality(subgraph(graph, graph.score >= values[mid])) == k:
            lo = mid
        else:
            hi = mid - 1
    return float(values[lo])


def fair_edges(graph: CandidateGraph, optimal: np.ndarray | None = None) -> np.ndarray:
    """Fair assignment of ``graph``: the used edge id per mentee, or -1.

    ``optimal`` may pass an already computed maximum matching (edge id per mentee) whose
    worst-off score seeds the search.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 0.4, 0.5, 0.3],
    ...                               [1, 1])
    >>> fair_edges(g).tolist()  # optimal takes edges 0 and 3: total 1.3 but worst-off 0.3
    [1, 2]
    """
    if optimal is None:
        optimal = proven_optimal(graph).edge_of
    used = optimal[optimal >= 0]
    if len(used) == 0:
        return optimal
    floor = best_floor(graph, len(used), float(graph.score[used].min()))
    keep = graph.score >= floor
    ids = np.flatnonzero(keep)
    edge_of = proven_optimal(subgraph(graph, keep)).edge_of
    return np.where(edge_of >= 0, ids[np.maximum(edge_of, 0)], -1)
