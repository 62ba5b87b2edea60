"""The solver's faster paths give what the slower ones gave (#14): each row's best columns
from a sampled bound (``grow._largest``), the potentials on the mentor-level graph
(``bounds.residual_potentials``), and ``optimal`` on the score families where every mentee
wants the same mentors, against a brute-force dense solve."""

from __future__ import annotations

import numpy as np
import pytest
from tests.matching.test_clustered_solve import assert_dense_optimum

from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import solve
from tandem.matching.solvers import bounds, grow
from tandem.matching.solvers.bounds import (
    MAX_POTENTIAL_ROUNDS,
    _residual_arcs,
    residual_potentials,
    shortest_distances,
)
from tandem.matching.solvers.flow import integer_weights, optimal_edges
from tandem.matching.solvers.grow import _largest, tie_spread


@pytest.mark.parametrize("k", [1, 4, 12, 40])
@pytest.mark.parametrize("width", [30, 700, 3000])
def test_each_rows_largest_are_the_partial_sorts(k, width):
    rng = np.random.default_rng(width + k)
    keys = np.rint(rng.random((300, width)) * 50)  # many equal keys
    keys[:40] = 7.0  # whole rows tied
    keys[40:80, : width // 2] = -1e300 * (2 - np.arange(width // 2) / width)  # fillers
    block = keys + tie_spread(300, width)  # distinct within a row, as _row_best makes them
    k = min(k, width)
    expected = np.sort(np.argpartition(block, width - k, axis=1)[:, width - k :], axis=1)
    assert np.array_equal(np.sort(_largest(block, k), axis=1), expected)


def family_graph(seed: int, family: str, n: int = 240, m: int = 40, k: int = 12):
    """``k`` random mentors per mentee, as many seats as mentees given to random mentors;
    scores ``a[mentee] * b[mentor]`` (rank-1), ``rating[mentor] + 1e-3 noise`` (agrees),
    all equal (ties) or uniform."""
    rng = np.random.default_rng(seed)
    picks = np.sort(np.argsort(rng.random((n, m)), axis=1)[:, :k], axis=1)
    mentee, mentor = np.repeat(np.arange(n), k), picks.ravel()
    score = {
        "rank-1": rng.random(n)[mentee] * rng.random(m)[mentor],
        "agrees": rng.random(m)[mentor] + 1e-3 * rng.random(len(mentee)),
        "ties": np.full(len(mentee), 0.5),
        "uniform": rng.random(len(mentee)),
    }[family]
    capacity = np.bincount(rng.integers(0, m, n - 5 * seed), minlength=m)
    graph = CandidateGraph.from_edges(n, m, mentee, mentor, score, capacity)
    dense = np.full((n, m), -np.inf)
    dense[mentee, mentor] = score
    return graph, dense


@pytest.mark.parametrize("family", ["rank-1", "agrees", "ties", "uniform"])
@pytest.mark.parametrize("seed", range(3))
def test_mentor_level_potentials_are_the_residual_graphs_shortest_distances(family, seed):
    graph, _ = family_graph(seed, family)
    n_nodes = graph.n_mentees + graph.n_mentors + 2
    weights = integer_weights(graph.score, n_nodes - 2)
    edge_of = optimal_edges(graph, weights)
    tail, head, cost = _residual_arcs(graph, weights.weight, edge_of)
    expected, _ = shortest_distances(n_nodes, tail, head, cost, MAX_POTENTIAL_ROUNDS)

    dist, converged = residual_potentials(graph, weights.weight, edge_of, None)
    assert converged and np.array_equal(dist, expected)
    # From another flow's potentials: not the same labels, but a proof all the same.
    start = expected - np.random.default_rng(seed).integers(0, 2**20, n_nodes)
    dist, converged = residual_potentials(graph, weights.weight, edge_of, start)
    assert converged and np.all(cost + dist[tail] - dist[head] >= 0)


@pytest.mark.parametrize("family", ["rank-1", "agrees", "ties", "uniform"])
@pytest.mark.parametrize("seed", range(3))
def test_optimal_on_families_where_everyone_wants_the_same_mentors_is_the_dense_optimum(
    family, seed
):
    graph, dense = family_graph(seed, family, k=40)  # a shortlist first: 40 > 2 x 12 pairs
    assert_dense_optimum(graph, dense, solve(graph))


def test_label_correcting_that_runs_long_hands_over_to_scipys_bellman_ford(monkeypatch):
    graph, _ = family_graph(1, "rank-1")
    n_nodes = graph.n_mentees + graph.n_mentors + 2
    weights = integer_weights(graph.score, n_nodes - 2)
    edge_of = optimal_edges(graph, weights)
    tail, head, cost = _residual_arcs(graph, weights.weight, edge_of)
    expected, _ = shortest_distances(n_nodes, tail, head, cost, MAX_POTENTIAL_ROUNDS)
    handed, scipy_bellman_ford = [], bounds._bellman_ford
    monkeypatch.setattr(bounds, "SCAN_RATIO", 10**12)  # no scan allowed
    monkeypatch.setattr(
        bounds, "_bellman_ford", lambda *a: handed.append(1) or scipy_bellman_ford(*a)
    )

    dist, converged = residual_potentials(graph, weights.weight, edge_of, None)
    assert handed and converged and np.array_equal(dist, expected)
    # A flow that is not of least cost has a negative cycle: no potentials, and no error.
    worst = optimal_edges(graph, integer_weights(-graph.score, n_nodes - 2))
    assert not residual_potentials(graph, weights.weight, worst, None)[1]


@pytest.mark.parametrize("floor", [None, 0.5])
def test_a_tables_cells_find_their_edges_with_or_without_an_edge_table(floor):
    """A graph in row order finds the edge of a picked cell by a search in its mentee's
    edges (no table of edge ids); the same pairs in another order keep the table. Both name
    the same pairs, pick after pick, with pairs missing, below ``floor`` or mentees without."""
    rng = np.random.default_rng(5)
    n, m = 300, 90
    allowed = rng.random((n, m)) >= 0.1
    allowed[7] = False  # a mentee without pairs
    allowed[:, 3] = False  # and a mentor
    mentee, mentor = np.nonzero(allowed)
    score = np.rint(rng.random(len(mentee)) * 20) / 20  # ties
    capacity = np.full(m, 4)
    scale = integer_weights(score, n + m)
    shuffle = rng.permutation(len(mentee))
    in_order = CandidateGraph.from_edges(n, m, mentee, mentor, score, capacity)
    shuffled = CandidateGraph.from_edges(
        n, m, mentee[shuffle], mentor[shuffle], score[shuffle], capacity
    )
    tables = [grow.table_of(graph, scale, floor) for graph in (in_order, shuffled)]
    assert tables[0].edge is None and tables[1].edge is not None
    reach = np.zeros(n + m, dtype=bool)
    reach[: n // 2] = True
    room = np.arange(m) % 3 == 0
    duals = bounds.Duals(np.zeros(n, np.int64), rng.integers(0, 2**25, m), 0, True)
    pairs = []
    for graph, table in zip((in_order, shuffled), tables, strict=True):
        ids = [table.best(3, 5), table.cut_failures(reach, room)]
        ids.append(table.dual_failures(duals))
        pairs.append([{(int(graph.mentee[e]), int(graph.mentor[e])) for e in i} for i in ids])
        for found in ids:
            assert (floor is None) or (graph.score[found] >= floor).all()
    assert pairs[0] == pairs[1]
    assert all(len(found) > 0 for found in pairs[0])


def test_the_totals_check_on_a_table_finds_exactly_the_mentees_with_a_pair_that_fails():
    """A missing pair is no pair: where a missing cell's first, inexact reading passes the
    cover (a free mentor missing from the row, a negative shift), the row is named only if a
    real pair of it fails, and only its real pairs are named."""
    rng = np.random.default_rng(11)
    n, m = 400, 70
    allowed = rng.random((n, m)) >= 0.15
    mentee, mentor = np.nonzero(allowed)
    score = rng.random(len(mentee))
    graph = CandidateGraph.from_edges(n, m, mentee, mentor, score, np.full(m, 6))
    scale = integer_weights(score, n + m)
    table = grow.table_of(graph, scale)
    prices = np.full(m, 2**31)
    prices[0] = 0  # mentor 0 is free, and missing from about 60 rows
    shift = -(2**20)
    best = np.full(n, -(2**40))
    np.maximum.at(best, mentee, scale.weight - prices[mentor])
    cover = best - shift + np.where(np.arange(n) % 2, -5, 5)  # odd rows fail by 5
    found = table.dual_failures(bounds.Duals(cover, prices, shift, True))
    reduced = scale.weight - prices[mentor] - cover[mentee] - shift
    assert set(graph.mentee[found].tolist()) == set(range(1, n, 2))
    assert (reduced[found] > -grow.NEAR * table.top).all()
    assert np.count_nonzero(~allowed[::2, 0]) > 20  # rows whose missing cell reads high
