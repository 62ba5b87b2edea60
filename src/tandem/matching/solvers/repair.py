"""Re-optimise a min-cost flow after a few edges join its graph, from its own potentials.

The shortlist solver (``shortlist``) grows its graph by a few pairs per round and needs the
new optimum with its potentials. A fresh OR-Tools solve costs the same however few pairs
joined, and its potentials must then be found again (``bounds.flow_duals``). Here the old
optimum is kept instead (primal-dual, Ahuja-Magnanti-Orlin ch. 9.7):

1. The old potentials ``pi`` give every old residual arc a reduced cost
   ``cost + pi[tail] - pi[head] >= 0``; a new pair whose arc is negative is *saturated*
   (matched as well), which leaves its mentor a unit too many and its mentee a unit short.
2. Multi-source Dijkstra (SciPy) from the nodes with a unit too many, on reduced costs, then
   ``pi += distance``: every arc stays non-negative and the shortest paths' arcs reach 0.
   One OR-Tools max-flow on those tight arcs sends as many units as fit from the nodes with
   too many to the nodes short of one (a path of tight arcs costs nothing more).
3. Repeat until balanced. The flow keeps its value (the maximum cardinality), and
   non-negative reduced costs on its residual graph prove it is of least cost.

Exactness does not rest on this module: :func:`repair` checks its potentials on every
residual arc and returns None on any doubt (the caller then solves afresh), and the caller's
``bounds.flow_duals`` starts from them and proves the flow again.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from tandem.matching.graph import CandidateGraph

# Each pass settles the nodes whose nearest unit to spare is not claimed by a nearer one, so
# passes grow with the pairs saturated at once; a pass that settles less than half of what is
# left predicts many more, and a fresh solve is then cheaper (clustered 10,000 x 2,000: 60
# new pairs took 3 passes, 0.02 s; 956 took 25, 0.14 s, against 0.11 s for a fresh solve and
# 0.02 s for its potentials).
MAX_SATURATED = 400
MAX_PASSES = 10


class _Flow:
    """A flow of fixed value on a graph's network (see ``flow``): per edge used or not, per
    mentee fed by the source or not, per mentor its load; plus each node's imbalance."""

    def __init__(self, graph: CandidateGraph, weight: np.ndarray, used: np.ndarray) -> None:
        n, m = graph.n_mentees, graph.n_mentors
        self.graph, self.weight, self.used = graph, weight, used.copy()
        self.fed = np.bincount(graph.mentee[used], minlength=n) > 0
        self.load = np.bincount(graph.mentor[used], minlength=m)
        self.has_edges = np.bincount(graph.mentee, minlength=n) > 0
        self.excess = np.zeros(n + m + 2, dtype=np.int64)

    def arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Residual arcs: tail, head, cost, kind (0 edge, 1 source, 2 sink) and index (edge
        id, mentee or mentor). No two arcs share a tail and a head."""
        g, n, m = self.graph, self.graph.n_mentees, self.graph.n_mentors
        source, sink = n + m, n + m + 1
        mentee, mentor = g.mentee.astype(np.int64), g.mentor.astype(np.int64) + n
        fed, unfed = np.flatnonzero(self.fed), np.flatnonzero(~self.fed & self.has_edges)
        room = np.flatnonzero(self.load < g.capacity)
        busy = np.flatnonzero(self.load > 0)
        edges = np.arange(g.n_edges)
        tail = [np.where(self.used, mentor, mentee), fed, np.full(len(unfed), source)]
        head = [np.where(self.used, mentee, mentor), np.full(len(fed), source), unfed]
        tail += [room + n, np.full(len(busy), sink)]
        head += [np.full(len(room), sink), busy + n]
        cost = np.where(self.used, self.weight, -self.weight)
        kind = np.repeat([0, 1, 1, 2, 2], [g.n_edges, len(fed), len(unfed), len(room), len(busy)])
        index = np.concatenate([edges, fed, unfed, room, busy])
        zeros = np.zeros(len(kind) - g.n_edges, np.int64)
        return np.concatenate(tail), np.concatenate(head), np.r_[cost, zeros], kind, index

    def capacity(self, kind: np.ndarray, index: np.ndarray, tail: np.ndarray) -> np.ndarray:
        """Residual capacity of the arcs from :meth:`arcs`."""
        units = np.ones(len(kind), dtype=np.int64)
        seat = np.flatnonzero(kind == 2)
        mentor, back = index[seat], tail[seat] == len(self.excess) - 1  # sink -> mentor
        free = self.graph.capacity[mentor] - self.load[mentor]
        units[seat] = np.where(back, self.load[mentor], free)
        return units

    def push(
        self, tail: np.ndarray, kind: np.ndarray, index: np.ndarray, units: np.ndarray
    ) -> None:
        """``units`` along each residual arc (a flow on them that keeps every node's balance
        but the ones whose ``excess`` the caller settles)."""
        n = self.graph.n_mentees
        edge, feed, seat = kind == 0, kind == 1, kind == 2
        self.used[index[edge]] = tail[edge] < n
        self.fed[index[feed]] = tail[feed] >= n
        sink = n + self.graph.n_mentors + 1
        np.add.at(self.load, index[seat], np.where(tail[seat] == sink, -units[seat], units[seat]))


def repair(
    graph: CandidateGraph,
    weight: np.ndarray,
    used: np.ndarray,
    potential: np.ndarray,
    lost: tuple[np.ndarray, np.ndarray] | None = None,
    patient: bool = False,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The least-cost flow of the same value on ``graph`` (edge id per mentee, or -1) and
    potentials proving it, from ``used`` (a least-cost flow before some edges joined) and its
    ``potential`` (``bounds.flow_duals``' labels: ``cost + pi[tail] - pi[head] >= 0`` on the
    old residual arcs). Costs are ``-weight`` on edges. None if it did not settle in
    ``MAX_PASSES`` passes or the result fails its check.

    ``lost`` = (mentees, mentors): pairs of the old flow that are not in ``graph`` (``fair``'s
    floor took them out). Each mentee keeps its unit from the source and each mentor its unit
    to the sink, and paths join them again: every other residual arc is as it was, so the
    potentials still hold, and the flow keeps its value.

    ``patient``: a pass that settles less than half of what is left does not give up, unless
    passes at its pace would take more than ``MAX_PASSES`` in all: for callers whose fresh
    solve costs far more than a shortlist's.
    """
    flow = _Flow(graph, weight, used)
    value = int(used.sum())
    if lost is not None:
        mentees, mentors = lost
        if len(mentees) > MAX_SATURATED:
            return None
        flow.fed[mentees] = True
        np.add.at(flow.load, mentors, 1)
        np.add.at(flow.excess, mentees, 1)
        np.add.at(flow.excess, mentors.astype(np.int64) + graph.n_mentees, -1)
        value += len(mentees)
    pi = potential.astype(np.int64).copy()
    mentor = graph.mentor.astype(np.int64) + graph.n_mentees
    reduced = -weight + pi[graph.mentee] - pi[mentor]
    negative = np.flatnonzero(~flow.used & (reduced < 0))
    if len(negative) > MAX_SATURATED:
        return None
    flow.used[negative] = True
    np.add.at(flow.excess, mentor[negative], 1)
    np.add.at(flow.excess, graph.mentee[negative], -1)
    left = int(np.abs(flow.excess).sum())
    for passes in range(MAX_PASSES):
        if left == 0:
            return _checked(flow, pi, value)
        tail, head, cost, kind, index = flow.arcs()
        length = cost + pi[tail] - pi[head]
        if length.min(initial=0) < 0:
            return None
        # Zero lengths are stored too (SciPy's sparse graphs keep explicit zeros as arcs).
        shape = (len(pi), len(pi))
        matrix = csr_array((length.astype(np.float64), (tail, head)), shape=shape)
        sources = np.flatnonzero(flow.excess > 0)
        dist = dijkstra(matrix, indices=sources, min_only=True)
        reached = np.isfinite(dist)
        if not np.any(reached & (flow.excess < 0)):
            return None
        step = np.where(reached, dist, dist[reached].max()).astype(np.int64)
        pi += step
        tight = np.flatnonzero(length + step[tail] - step[head] == 0)
        _send(flow, tail[tight], head[tight], kind[tight], index[tight])
        left, before = int(np.abs(flow.excess).sum()), left
        if 2 * left > before and not patient:
            return None
        if patient and (left == before or passes + 1 + -(-left // (before - left)) > MAX_PASSES):
            return None
    return None


def _send(
    flow: _Flow, tail: np.ndarray, head: np.ndarray, kind: np.ndarray, index: np.ndarray
) -> None:
    """As many units as fit from the nodes with a unit too many to the nodes short of one,
    on the given (tight) residual arcs: one OR-Tools max-flow."""
    n_nodes = len(flow.excess)
    source, sink = n_nodes, n_nodes + 1
    over, under = np.flatnonzero(flow.excess > 0), np.flatnonzero(flow.excess < 0)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.concatenate([tail, np.full(len(over), source), under]),
        np.concatenate([head, over, np.full(len(under), sink)]),
        np.concatenate([flow.capacity(kind, index, tail), flow.excess[over], -flow.excess[under]]),
    )
    if solver.solve(source, sink) != solver.OPTIMAL:
        return
    units = solver.flows(np.arange(len(tail) + len(over) + len(under), dtype=np.int64))
    moved = np.flatnonzero(units[: len(tail)] > 0)
    flow.push(tail[moved], kind[moved], index[moved], units[moved])
    flow.excess[over] -= units[len(tail) : len(tail) + len(over)]
    flow.excess[under] += units[len(tail) + len(over) :]


def _checked(flow: _Flow, pi: np.ndarray, value: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The flow as edge ids per mentee, if it is an assignment of ``value`` mentees within
    the capacities and ``pi`` proves it of least cost (no residual arc negative)."""
    tail, head, cost, _, _ = flow.arcs()
    if (cost + pi[tail] - pi[head]).min(initial=0) < 0:
        return None
    graph = flow.graph
    ids = np.flatnonzero(flow.used)
    load = np.bincount(graph.mentor[ids], minlength=graph.n_mentors)
    one_each = len(np.unique(graph.mentee[ids])) == len(ids) == value
    if not one_each or np.any(load > graph.capacity) or not np.array_equal(load, flow.load):
        return None
    edge_of = np.full(graph.n_mentees, -1, dtype=np.int64)
    edge_of[graph.mentee[ids]] = ids
    return edge_of, pi
