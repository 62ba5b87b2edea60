"""The `fair` objective: most mentees matched, then the best worst-off score, then the total.

The worst-off score of a maximum matching is a bottleneck value: the largest floor ``t`` such
that the edges scoring ``>= t`` still match as many mentees. It is found exactly by one
descending sweep that keeps its matching (``bottleneck``). The sweep runs on the few pairs
above a lower bound: the floor of the optimal solver's final shortlist (its own sweep, on a
graph of a few edges per mentee), which every floor of the whole graph is at least; above
that bound the two graphs have the same edges, so no proof is needed.

The total is then maximised among the assignments above the floor: the optimum itself when
its worst-off score already meets the floor, else one min-cost flow on the pairs above it
(or the shortlist solver when they are too many).
"""

from __future__ import annotations

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bottleneck import sweep_floor
from tandem.matching.solvers.flow import optimal_edges
from tandem.matching.solvers.repair import repair
from tandem.matching.solvers.shortlist import Proven, proven_optimal, take

# Above this many pairs per mentee over the floor, the total is solved on a shortlist.
DIRECT_PER_MENTEE = 100


def best_floor(graph: CandidateGraph, k: int, ids: np.ndarray | None = None) -> float:
    """Largest score ``t`` such that some assignment matches ``k`` mentees, all at >= ``t``.

    Parameters
    ----------
    graph : CandidateGraph
    k : int
        The maximum cardinality of ``graph`` (at least 1).
    ids : array of int, optional
        Edge ids of ``graph`` that can match ``k`` mentees on their own (a shortlist): their
        floor is a lower bound, so the exact search reads only the pairs above it.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1], [0, 1, 0], [0.9, 0.3, 0.4], [1, 1])
    >>> best_floor(g, 2)
    0.3
    """
    if ids is not None and len(ids) < graph.n_edges:
        lower = sweep_floor(take(graph, ids), k)
        graph = take(graph, np.flatnonzero(graph.score >= lower))
    return sweep_floor(graph, k)


def _total_above(graph: CandidateGraph, floor: float, start: np.ndarray | None) -> np.ndarray:
    """Most matched, then the highest total, on the pairs scoring ``>= floor``: edge id per
    mentee or -1 (``start``: edge ids to begin a shortlist with)."""
    kept = np.flatnonzero(graph.score >= floor)
    if len(kept) > DIRECT_PER_MENTEE * graph.n_mentees:
        return proven_optimal(graph, start=start, floor=floor).edge_of
    edge_of = optimal_edges(take(graph, kept))
    return np.where(edge_of >= 0, kept[np.maximum(edge_of, 0)], -1)


def _repaired(graph: CandidateGraph, proven: Proven, floor: float) -> np.ndarray | None:
    """The optimum above ``floor`` re-optimised from ``proven`` (``repair``): its pairs below
    the floor leave, and their mentees and seats are joined again by least-cost paths under
    its potentials (passes that settle few units go on: the alternative is a flow on every
    pair above the floor). None when it has no potentials or the repair gives up.

    Where the optimum misses the floor by a few pairs (everyone ranks the mentors alike, with
    a little noise: its worst-off mentor's mentees are not the ones fair puts there) this
    replaces a second min-cost flow on nearly the whole graph.
    """
    if proven.potential is None or proven.scale is None:
        return None
    kept = np.flatnonzero(graph.score >= floor)
    edge_of = proven.edge_of
    matched = np.flatnonzero(edge_of >= 0)
    below = graph.score[edge_of[matched]] < floor
    stays, leaves = edge_of[matched[~below]], edge_of[matched[below]]
    part = take(graph, kept)
    weight = np.rint((part.score - proven.scale.offset) / proven.scale.step).astype(np.int64)
    used = np.zeros(len(kept), dtype=bool)
    used[np.searchsorted(kept, stays)] = True
    lost = (graph.mentee[leaves].astype(np.int64), graph.mentor[leaves].astype(np.int64))
    repaired = repair(part, weight, used, proven.potential, lost, patient=True)
    if repaired is None:
        return None
    part_edge_of = repaired[0]
    return np.where(part_edge_of >= 0, kept[np.maximum(part_edge_of, 0)], -1)


def fair_edges(graph: CandidateGraph, optimal: Proven | np.ndarray | None = None) -> np.ndarray:
    """Fair assignment of ``graph``: the used edge id per mentee, or -1.

    ``optimal`` may pass an already computed maximum matching (edge id per mentee, or the
    :class:`Proven` optimum with its shortlist) whose shortlist bounds the search.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 0.4, 0.5, 0.3],
    ...                               [1, 1])
    >>> fair_edges(g).tolist()  # optimal takes edges 0 and 3: total 1.3 but worst-off 0.3
    [1, 2]
    """
    proven = proven_optimal(graph) if optimal is None else optimal
    edge_of = proven.edge_of if isinstance(proven, Proven) else proven
    ids = proven.shortlist if isinstance(proven, Proven) else None
    used = edge_of[edge_of >= 0]
    if len(used) == 0:
        return edge_of
    floor = best_floor(graph, len(used), ids)
    if graph.score[used].min() >= floor:  # the optimum is above the floor: it is the answer
        return edge_of
    if isinstance(proven, Proven):
        repaired = _repaired(graph, proven, floor)
        if repaired is not None:
            return repaired
    start = None if ids is None else ids[graph.score[ids] >= floor]
    return _total_above(graph, floor, start)
