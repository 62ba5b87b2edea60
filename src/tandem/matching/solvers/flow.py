"""Network-flow solvers on the candidate graph (OR-Tools, sparse: memory grows with edges).

Nodes are numbered mentees ``0..n-1``, mentors ``n..n+m-1``, then the source and the sink.
The source feeds each mentee one unit, each edge carries at most one unit, and each mentor
passes at most its capacity to the sink, so integral flows are exactly the feasible
assignments and the flow value is the number of matched mentees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from tandem.matching.graph import CandidateGraph

# Integer costs are scores rescaled to 0..COST_RANGE. OR-Tools multiplies costs by the number
# of nodes internally (cost scaling), so the range also shrinks for very large graphs.
COST_RANGE = 2**31
SOLVER_FAILED = "The {solver} solver stopped with status {status}; the instance is malformed."


@dataclass(frozen=True)
class IntegerWeights:
    """Scores mapped to integers: ``score ~= offset + step * weight`` (weight in 0..range)."""

    weight: np.ndarray
    offset: float
    step: float


def integer_weights(
    score: np.ndarray, n_nodes: int, span: tuple[float, float] | None = None
) -> IntegerWeights:
    """Rescale float scores to integers, as finely as OR-Tools' cost range allows.

    The rounding error per edge is at most ``step / 2``, so an assignment that is optimal for
    the integer weights is within ``n_matched * step`` of the float optimum; with
    ``COST_RANGE = 2**31`` that is ~5e-10 of the score range per matched mentee.
    ``span`` = (low, high) reuses the scale of a larger graph that ``score`` is part of.
    """
    if span is None and len(score) == 0:
        return IntegerWeights(np.zeros(0, np.int64), 0.0, 1.0)
    low, high = span or (float(score.min()), float(score.max()))
    limit = min(COST_RANGE, np.iinfo(np.int64).max // (64 * (n_nodes + 2)))
    step = (high - low) / limit
    if not step > 0:  # all equal, or apart by less than a float can divide (1e-320)
        step = 1.0
    weight = np.rint((score - low) / step).astype(np.int64)
    return IntegerWeights(weight, low, step)


def _network(graph: CandidateGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    n, m = graph.n_mentees, graph.n_mentors
    source, sink = n + m, n + m + 1
    mentees = np.flatnonzero(np.bincount(graph.mentee, minlength=n)).astype(np.int64)
    mentors = np.flatnonzero(graph.capacity > 0).astype(np.int64)
    tails = np.concatenate([graph.mentee, np.full(len(mentees), source), mentors + n])
    heads = np.concatenate(
        [graph.mentor.astype(np.int64) + n, mentees, np.full(len(mentors), sink)]
    )
    caps = np.concatenate(
        [np.ones(graph.n_edges + len(mentees), np.int64), graph.capacity[mentors]]
    )
    return tails.astype(np.int64), heads.astype(np.int64), caps, source, sink


def _max_flow(graph: CandidateGraph) -> tuple[max_flow.SimpleMaxFlow, int]:
    """A solved OR-Tools push-relabel max-flow of ``graph``'s network, and its edge count."""
    tails, heads, caps, source, sink = _network(graph)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, heads, caps)
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(SOLVER_FAILED.format(solver="max-flow", status=status))
    return solver, graph.n_edges


def max_cardinality(graph: CandidateGraph) -> int:
    """Largest number of mentees that can be matched at once (OR-Tools push-relabel).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(3, 1, [0, 1, 2], [0, 0, 0], [1, 1, 1], [2])
    >>> max_cardinality(g)
    2
    """
    if graph.n_edges == 0:
        return 0
    return int(_max_flow(graph)[0].optimal_flow())


def source_side(graph: CandidateGraph) -> tuple[int, np.ndarray]:
    """Maximum cardinality and the source side of a minimum cut (bool over ``n + m`` nodes).

    Every edge from a source-side mentee to a sink-side mentor is saturated by the maximum
    flow, so the cut's capacity (the cardinality) grows by one for each *other* such edge a
    larger graph has: none means the larger graph cannot match more.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [1, 1], [1])
    >>> count, side = source_side(g)
    >>> count, side.tolist()
    (1, [True, True, True])
    """
    edge_of, side = max_assignment(graph)
    return int(np.count_nonzero(edge_of >= 0)), side


def max_assignment(graph: CandidateGraph) -> tuple[np.ndarray, np.ndarray]:
    """A maximum assignment (edge id per mentee, or -1), with no regard to scores, and the
    König cut that proves it: per node (``n + m``), reachable from an unmatched mentee in
    the residual graph (the source side of a minimum cut, every unmatched mentee on it).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 1], [0, 0], [1.0, 1.0], [1, 1])
    >>> edge_of, side = max_assignment(g)
    >>> int((edge_of >= 0).sum()), side.tolist()  # mentee -> mentor 0 -> the other mentee
    (1, [True, True, True, False])
    """
    n, m = graph.n_mentees, graph.n_mentors
    side = np.zeros(n + m, dtype=bool)
    if graph.n_edges == 0:
        side[:n] = True
        return np.full(n, -1, dtype=np.int64), side
    solver, edges = _max_flow(graph)
    nodes = np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)
    side[nodes[nodes < n + m]] = True
    edge_of = edge_of_mentee(graph, solver.flows(np.arange(edges, dtype=np.int64)) > 0)
    side[:n] |= edge_of < 0  # a mentee without edges here may have some in a larger graph
    return edge_of, side


def edge_of_mentee(graph: CandidateGraph, used: np.ndarray) -> np.ndarray:
    """Per mentee, the id of its used edge (``used`` is a boolean mask over edges), or -1."""
    edge_of = np.full(graph.n_mentees, -1, dtype=np.int64)
    ids = np.flatnonzero(used)
    edge_of[graph.mentee[ids]] = ids
    return edge_of


def optimal_edges(graph: CandidateGraph, weights: IntegerWeights | None = None) -> np.ndarray:
    """Most mentees matched, then the highest total integer weight: edge id per mentee or -1.

    Uses ``SimpleMinCostFlow.solve_max_flow_with_min_cost``: among maximum flows, one of least
    cost. Cardinality therefore comes first without any big-M bonus, and the costs stay small.
    """
    if graph.n_edges == 0:
        return np.full(graph.n_mentees, -1, dtype=np.int64)
    if weights is None:
        weights = integer_weights(graph.score, graph.n_mentees + graph.n_mentors)
    tails, heads, caps, source, sink = _network(graph)
    costs = np.zeros(len(tails), dtype=np.int64)
    costs[: graph.n_edges] = -weights.weight
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    solver.set_node_supply(source, graph.n_mentees)
    solver.set_node_supply(sink, -graph.n_mentees)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(SOLVER_FAILED.format(solver="min-cost-flow", status=status))
    used = solver.flows(np.arange(graph.n_edges, dtype=np.int64)) > 0
    return edge_of_mentee(graph, used)
