"""The shortlist's cardinality certificate (#14): a flow that matches every mentee, or fills
every seat, is a maximum of the whole graph without reading its cut; any other flow is proven
by the König cut, on every round, even when it turns out to be a maximum."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy as sp

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers import grow, shortlist


def complete(n: int, m: int, capacity: int, seed: int) -> CandidateGraph:
    """Every pair allowed (the shortlist then works on a score table), random scores."""
    rng = np.random.default_rng(seed)
    mentee, mentor = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    return CandidateGraph.from_edges(n, m, mentee, mentor, rng.random(n * m), [capacity] * m)


def bottleneck(seed: int) -> CandidateGraph:
    """Mentees 0-59 may pair with anyone but mentor 0; mentees 60-99 only with mentor 0, one
    seat. Seats (100) and mentees (100) are many, yet 61 at most can be matched."""
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i in range(60) for j in range(1, 20)] + [(i, 0) for i in range(60, 100)]
    mentee, mentor = np.array(pairs).T
    capacity = [1] + [5] * 19
    return CandidateGraph.from_edges(100, 20, mentee, mentor, rng.random(len(pairs)), capacity)


def best_assignment(graph: CandidateGraph) -> tuple[int, float]:
    """Most matched, then the best total, by SciPy on the capacity-expanded matrix."""
    n = graph.n_mentees
    columns = np.repeat(np.arange(graph.n_mentors), graph.capacity)
    dense = np.full((n, graph.n_mentors), -np.inf)
    dense[graph.mentee, graph.mentor] = graph.score
    # A forbidden pair costs more than any total can gain, so it is used only if forced.
    matrix = np.where(np.isfinite(dense[:, columns]), dense[:, columns], -2.0 * (n + 1))
    rows, cols = sp.optimize.linear_sum_assignment(matrix, maximize=True)
    real = np.isfinite(dense[rows, columns[cols]])
    return int(real.sum()), math.fsum(dense[rows[real], columns[cols[real]]].tolist())


@pytest.fixture
def cut_reads(monkeypatch) -> dict[str, int]:
    """Counts the shortlist's max-flows and the reads of their cuts (table or edge list)."""
    counts = {"flows": 0, "cuts": 0}

    def counted(function, key):
        def wrapper(*args, **kwargs):
            counts[key] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(shortlist, "max_assignment", counted(shortlist.max_assignment, "flows"))
    monkeypatch.setattr(grow.Table, "cut_failures", counted(grow.Table.cut_failures, "cuts"))
    monkeypatch.setattr(shortlist, "cut_failures", counted(shortlist.cut_failures, "cuts"))
    return counts


def _check(proven: shortlist.Proven, graph: CandidateGraph) -> None:
    count, total = best_assignment(graph)
    matched = proven.edge_of[proven.edge_of >= 0]
    assert len(matched) == count
    assert math.fsum(graph.score[matched].tolist()) == pytest.approx(total, abs=1e-9)


@pytest.mark.parametrize(
    ("capacity", "matched"), [(10, 300), (5, 200)], ids=["every mentee", "every seat"]
)
def test_a_flow_reaching_every_mentee_or_seat_reads_no_cut(cut_reads, capacity, matched):
    graph = complete(300, 40, capacity, seed=capacity)
    proven = shortlist.proven_optimal(graph, k=2)
    assert int((proven.edge_of >= 0).sum()) == matched
    assert cut_reads["cuts"] == cut_reads["flows"] - 1  # the last flow's cut is never read
    _check(proven, graph)


@pytest.mark.parametrize("seed", range(3))
def test_a_flow_short_of_the_trivial_bound_is_proven_by_its_cut(cut_reads, seed):
    graph = bottleneck(seed)
    proven = shortlist.proven_optimal(graph, k=2)
    assert int((proven.edge_of >= 0).sum()) == 61 < min(graph.n_mentees, graph.capacity.sum())
    assert cut_reads["cuts"] == cut_reads["flows"] >= 1  # every flow's cut, the last one too
    _check(proven, graph)


def test_equal_scores_spread_the_first_shortlist_so_one_flow_matches_everyone(cut_reads):
    # Every score equal: picking each mentee's best by position would give all of them the
    # same 12 mentors (72 seats for 600 mentees) and ~40 rounds of growing (#14).
    n, m = 600, 120
    mentee, mentor = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    graph = CandidateGraph.from_edges(n, m, mentee, mentor, np.full(n * m, 0.5), [5] * m)
    proven = shortlist.proven_optimal(graph)
    assert int((proven.edge_of >= 0).sum()) == n
    assert cut_reads["flows"] == 1 and proven.rounds == 0


def rank_one(n: int, m: int, per_mentee: int, seed: int) -> CandidateGraph:
    """Score = a mentee weight times a mentor weight, ``per_mentee`` random pairs a mentee
    (every pair when it is ``m``): every mentee's best pairs are the same few mentors."""
    rng = np.random.default_rng(seed)
    mentee = np.repeat(np.arange(n), per_mentee)
    mentor = np.concatenate([rng.choice(m, per_mentee, replace=False) for _ in range(n)])
    score = rng.random(n)[mentee] * rng.random(m)[mentor]
    return CandidateGraph.from_edges(n, m, mentee, mentor, score, [n // m] * m)


@pytest.mark.parametrize(("per_mentee", "seed"), [(60, 0), (60, 1), (120, 2)])
def test_rank_one_scores_stop_growing_the_shortlist_and_solve_the_whole_graph(
    cut_reads, per_mentee, seed
):
    # Each cut round frees a few of the top mentors' seats only (#14): after two rounds the
    # shortlist gives way to one flow on the whole graph, whose answer SciPy confirms.
    graph = rank_one(600, 120, per_mentee, seed)
    proven = shortlist.proven_optimal(graph)
    assert proven.rounds == -1 and cut_reads["flows"] == 2
    _check(proven, graph)
