"""The `fair` objective: most mentees matched, then the best worst-off score, then the total.

The worst-off score of a maximum matching is a bottleneck value, so it is found exactly by
binary search over the distinct edge scores: a floor ``t`` is achievable iff the graph keeps
its maximum cardinality when edges scoring below ``t`` are removed (one max-flow per probe).
The total is then maximised by min-cost flow on the graph above the best floor.

On a large graph the search runs on the optimal solver's final shortlist, which is known to
reach the maximum cardinality. Its best floor ``t`` is achievable on the whole graph; that
nothing above it is, is proven by the minimum cut of the shortlist's first failing probe: if
no edge of the whole graph at or above that probe's floor crosses the cut, the whole graph
cannot match as many there either. Otherwise the crossing edges join and the search resumes.
"""

from __future__ import annotations

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.constraints import subgraph
from tandem.matching.solvers.flow import max_cardinality, source_side
from tandem.matching.solvers.grow import best_per_mentee
from tandem.matching.solvers.order import CHUNK
from tandem.matching.solvers.shortlist import Proven, proven_optimal, take

# Edges crossing a failing probe's cut that join the search per mentee and round.
CROSSING_PER_MENTEE = 16
# Cuts probed above the floor, as shares of the way to the ceiling, to grow ahead.
LOOK_AHEAD = (0.05, 0.25)


def _floor_ceiling(graph: CandidateGraph, k: int) -> float:
    """No floor above the k-th largest per-mentee best score can keep k mentees matched."""
    best = np.full(graph.n_mentees, -np.inf)
    np.maximum.at(best, graph.mentee, graph.score)
    return float(np.sort(best)[graph.n_mentees - k])


def best_floor(graph: CandidateGraph, k: int, achieved: float, gallop: bool = False) -> float:
    """Largest score ``t`` such that some assignment matches ``k`` mentees, all at >= ``t``.

    Parameters
    ----------
    graph : CandidateGraph
    k : int
        The maximum cardinality of ``graph`` (at least 1).
    achieved : float
        The worst-off score of some maximum matching, a floor known to be achievable.
    gallop : bool
        Probe 1, 2, 4, ... values above ``achieved`` before bisecting: fewer probes when the
        answer is known to be close to ``achieved``.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1], [0, 1, 0], [0.9, 0.3, 0.4], [1, 1])
    >>> best_floor(g, 2, 0.3)
    0.3
    """
    ceiling = _floor_ceiling(graph, k)
    values = np.unique(graph.score[(graph.score >= achieved) & (graph.score <= ceiling)])
    lo, hi = 0, len(values) - 1  # values[lo] is achievable; search the largest achievable
    step = 1 if gallop else 0
    while lo < hi:
        mid = min(lo + step, hi) if step else (lo + hi + 1) // 2
        if max_cardinality(subgraph(graph, graph.score >= values[mid])) == k:
            lo, step = mid, 2 * step
        else:
            hi, step = mid - 1, 0
    return float(values[lo])


def _crossing(
    graph: CandidateGraph, cuts: list[tuple[float, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """Edges scoring ``>= floor`` from a source-side mentee to a sink-side mentor, for any of
    the ``(floor, source side)`` cuts; and which of them cross the first cut."""
    n, found, first = graph.n_mentees, [], []
    lowest = min(floor for floor, _ in cuts)
    for lo in range(0, graph.n_edges, CHUNK):
        high = np.flatnonzero(graph.score[lo : lo + CHUNK] >= lowest) + lo  # the rest never cross
        i, j, score = graph.mentee[high], graph.mentor[high], graph.score[high]
        each = [side[i] & ~side[n + j] & (score >= floor) for floor, side in cuts]
        ids = np.flatnonzero(np.logical_or.reduce(each))
        found.append(high[ids])
        first.append(each[0][ids])
    if not found:
        return np.empty(0, np.int64), np.empty(0, bool)
    return np.concatenate(found), np.concatenate(first)


def proven_floor(
    graph: CandidateGraph, k: int, achieved: float, ids: np.ndarray
) -> tuple[float, np.ndarray]:
    """:func:`best_floor` of ``graph``, searched on its edges ``ids`` (which must match ``k``)
    and proven on the whole graph by minimum cuts (module notes); with the edges searched
    last (``ids`` and those grown), which match ``k`` at the floor.

    The cut just above the floor is the proof; cuts further up (``LOOK_AHEAD``) add the edges
    the next floors will need, so that few rounds are needed.
    """
    gallop = False  # the first search may go far; later ones start next to the answer
    while True:
        part = take(graph, ids)
        floor = best_floor(part, k, achieved, gallop)
        higher = graph.score[graph.score > floor]
        if len(higher) == 0:
            return floor, ids
        above = float(higher.min())
        count, side = source_side(subgraph(part, part.score >= above))
        if count >= k:  # cannot happen (floor is the shortlist's best); no proof: search all
            return best_floor(graph, k, floor), ids
        cuts = [(above, side)]
        ceiling = _floor_ceiling(part, k)
        for share in LOOK_AHEAD if ceiling > above else ():
            level = above + share * (ceiling - above)
            count, side = source_side(subgraph(part, part.score >= level))
            if count < k:
                cuts.append((level, side))
        crossing, proof_fails = _crossing(graph, cuts)
        if not proof_fails.any():
            return floor, ids
        grown = best_per_mentee(graph, crossing, graph.score[crossing], CROSSING_PER_MENTEE)
        ids = np.union1d(ids, grown)
        achieved, gallop = floor, True


def fair_edges(graph: CandidateGraph, optimal: Proven | np.ndarray | None = None) -> np.ndarray:
    """Fair assignment of ``graph``: the used edge id per mentee, or -1.

    ``optimal`` may pass an already computed maximum matching (edge id per mentee, or the
    :class:`Proven` optimum with its shortlist) whose worst-off score seeds the search.

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
    achieved = float(graph.score[used].min())
    if ids is None:
        floor = best_floor(graph, len(used), achieved)
    else:
        floor, ids = proven_floor(graph, len(used), achieved, ids)
    start = None if ids is None else ids[graph.score[ids] >= floor]
    return proven_optimal(graph, start=start, floor=floor).edge_of
