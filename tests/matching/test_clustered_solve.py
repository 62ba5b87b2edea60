"""Exactness on clustered instances: oversubscribed topics, ties and forbidden pairs.

The shortlist starts far from the optimum here (most mentees' best mentors are the same few),
so the solver must grow it from the certificates; the result must equal an independent dense
solve (SciPy on the capacity-expanded matrix) to the last bit of the total.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy as sp

from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import solve
from tandem.matching.solvers import shortlist


def clustered(seed: int, n: int = 240, m: int = 48, capacity: int = 5):
    """Topic-mixture scores on a few popular topics, rounded to 1/32 (ties), 2 % forbidden."""
    rng = np.random.default_rng(seed)
    topics = 8
    popular = rng.choice(topics, n, p=[0.4, 0.25, 0.1, 0.1, 0.05, 0.04, 0.03, 0.03])
    mentee = rng.dirichlet(np.full(topics, 0.2), n) + 2 * np.eye(topics)[popular]
    mentor = rng.dirichlet(np.full(topics, 0.2), m) + 2 * np.eye(topics)[np.arange(m) % topics]
    mentee /= np.linalg.norm(mentee, axis=1, keepdims=True)
    mentor /= np.linalg.norm(mentor, axis=1, keepdims=True)
    dense = np.round((mentee @ mentor.T) * 32) / 32
    allowed = rng.random((n, m)) >= 0.02
    i, j = np.nonzero(allowed)
    caps = np.full(m, capacity)
    caps[: m // 8] = 1
    graph = CandidateGraph.from_edges(n, m, i, j, dense[allowed], caps)
    return graph, np.where(allowed, dense, -np.inf)


def dense_optimum(graph: CandidateGraph, dense: np.ndarray) -> tuple[int, float]:
    """Most matched, then the best total, by SciPy on the capacity-expanded matrix."""
    columns = np.repeat(np.arange(graph.n_mentors), graph.capacity)
    # A forbidden pair costs more than any total can gain, so it is used only if forced.
    penalty = -(graph.n_mentees + 1) * 2.0
    matrix = np.where(np.isfinite(dense[:, columns]), dense[:, columns], penalty)
    rows, cols = sp.optimize.linear_sum_assignment(matrix, maximize=True)
    real = np.isfinite(dense[rows, columns[cols]])
    return int(real.sum()), math.fsum(dense[rows[real], columns[cols[real]]].tolist())


def assert_dense_optimum(graph: CandidateGraph, dense: np.ndarray, result) -> None:
    """``result`` matches as many and totals as much as the dense optimum, proven by LP duals."""
    count, total = dense_optimum(graph, dense)
    assert result.n_matched == count
    assert result.total_score == pytest.approx(total, abs=1e-9)
    assert total - 1e-9 <= result.upper_bound <= total + 1e-6
    assert result.bound_method == "lp_dual"


@pytest.mark.parametrize("seed", range(4))
def test_optimal_on_clustered_instances_equals_the_dense_optimum(seed):
    graph, dense = clustered(seed)
    proven = shortlist.proven_optimal(graph)
    assert proven.shortlist is not None and len(proven.shortlist) < graph.n_edges / 2
    assert_dense_optimum(graph, dense, solve(graph))


def test_the_shortlist_grows_where_the_certificate_fails():
    # Four mentors' seats go to the first-choice crowd; the proof must add the pairs that
    # reach the rest, and the answer must not depend on the first shortlist.
    graph, dense = clustered(7, n=300, m=60)
    small = shortlist.proven_optimal(graph, k=1)
    large = shortlist.proven_optimal(graph, k=30)
    totals = [math.fsum(graph.score[p.edge_of[p.edge_of >= 0]].tolist()) for p in (small, large)]
    assert small.rounds >= 1
    assert totals[0] == pytest.approx(totals[1], abs=1e-9)
    assert totals[0] == pytest.approx(dense_optimum(graph, dense)[1], abs=1e-9)


def _best_floor(graph: CandidateGraph, k: int) -> float:
    """The largest worst-off score over assignments matching ``k``, by brute search."""
    best = -math.inf
    for floor in np.unique(graph.score):
        keep = graph.score >= floor
        columns = np.repeat(np.arange(graph.n_mentors), graph.capacity)
        seat_of = [np.flatnonzero(columns == j) for j in range(graph.n_mentors)]
        rows, cols = [], []
        for i, j in zip(graph.mentee[keep], graph.mentor[keep], strict=True):
            rows += [i] * len(seat_of[j])
            cols += seat_of[j].tolist()
        matrix = sp.sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(graph.n_mentees, len(columns))
        )
        matched = sp.sparse.csgraph.maximum_bipartite_matching(matrix, perm_type="column")
        if (matched >= 0).sum() == k:
            best = float(floor)
    return best


@pytest.mark.parametrize("seed", range(2))
def test_fair_on_clustered_instances_finds_the_best_floor(seed):
    graph, dense = clustered(seed, n=120, m=30)
    result = solve(graph, objective="fair")
    count, _ = dense_optimum(graph, dense)
    assert result.n_matched == count
    assert result.min_score == _best_floor(graph, count)
