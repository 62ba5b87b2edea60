"""Re-optimising a min-cost flow after edges join (``solvers.repair``, #14): the repaired flow
is as good as a fresh solve of the larger graph, and its potentials prove it."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bounds import _residual_arcs, flow_duals
from tandem.matching.solvers.flow import integer_weights, optimal_edges
from tandem.matching.solvers.repair import repair
from tandem.matching.solvers.shortlist import take


def random_graph(seed: int, n: int = 150, m: int = 30, k: int = 8) -> CandidateGraph:
    """``k`` random mentors per mentee, uniform scores, seats given to random mentors."""
    rng = np.random.default_rng(seed)
    picks = np.sort(rng.integers(0, m, (n, k)), axis=1)
    fresh = np.ones(picks.shape, dtype=bool)
    fresh[:, 1:] = picks[:, 1:] != picks[:, :-1]
    mentee, mentor = np.nonzero(fresh)[0], picks[fresh]
    capacity = np.bincount(rng.integers(0, m, n - 10), minlength=m)
    return CandidateGraph.from_edges(n, m, mentee, mentor, rng.random(len(mentee)), capacity)


def total(weight: np.ndarray, edge_of: np.ndarray) -> tuple[int, int]:
    return int((edge_of >= 0).sum()), int(weight[edge_of[edge_of >= 0]].sum())


@pytest.mark.parametrize("joined", [1, 5, 20])
def test_a_repaired_flow_is_as_good_as_a_fresh_solve_and_proven(joined):
    repaired = changed = 0
    for seed in range(12):
        graph = random_graph(seed)
        weights = integer_weights(graph.score, graph.n_mentees + graph.n_mentors)
        rng = np.random.default_rng(seed)
        left_out = rng.choice(graph.n_edges, joined, replace=False)
        kept = np.setdiff1d(np.arange(graph.n_edges), left_out)
        part = take(graph, kept)
        part_weights = integer_weights(part.score, 0, (graph.score.min(), graph.score.max()))
        before = optimal_edges(part, part_weights)
        potential = flow_duals(part, part_weights, before).potential
        used = np.zeros(graph.n_edges, dtype=bool)
        used[kept[before[before >= 0]]] = True

        result = repair(graph, weights.weight, used, potential)
        if result is None:  # gave up: the caller solves afresh
            continue
        repaired += 1
        edge_of, labels = result
        changed += not np.array_equal(np.sort(edge_of[edge_of >= 0]), np.flatnonzero(used))
        assert total(weights.weight, edge_of) == total(
            weights.weight, optimal_edges(graph, weights)
        )
        tail, head, cost = _residual_arcs(graph, weights.weight, edge_of)
        assert np.all(cost + labels[tail] - labels[head] >= 0)  # the proof
        assert flow_duals(graph, weights, edge_of, start=labels - labels.max()).converged
    assert repaired >= 6
    assert changed >= 3  # the new edges made a better flow, which was found
