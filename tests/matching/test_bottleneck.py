"""The fair floor (bottleneck) search against brute force: ties, forbidden pairs, zero seats.

The brute force is independent of the solvers: SciPy's Hopcroft-Karp on the graph with each
mentor repeated once per seat, at every distinct score.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import solve
from tandem.matching.solvers import bottleneck
from tandem.matching.solvers.fair import best_floor

PROPERTIES = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


def _matched(graph: CandidateGraph, keep: np.ndarray) -> int:
    """Most mentees matched on the edges ``keep``, by SciPy on the seat-expanded graph."""
    seat_start = np.r_[0, np.cumsum(graph.capacity)]
    rows, cols = [], []
    for i, j in zip(graph.mentee[keep].tolist(), graph.mentor[keep].tolist(), strict=True):
        rows += [i] * int(graph.capacity[j])
        cols += range(seat_start[j], seat_start[j + 1])
    if not rows:
        return 0
    matrix = sp.sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(graph.n_mentees, int(seat_start[-1]))
    )
    matched = sp.sparse.csgraph.maximum_bipartite_matching(matrix, perm_type="column")
    return int((matched >= 0).sum())


def _brute_floor(graph: CandidateGraph) -> tuple[int, float | None]:
    """The maximum cardinality and the largest floor that keeps it (None: nothing matches)."""
    k = _matched(graph, np.ones(graph.n_edges, dtype=bool))
    floors = [t for t in np.unique(graph.score) if _matched(graph, graph.score >= t) == k]
    return k, (float(max(floors)) if k else None)


@st.composite
def tied_graphs(draw, max_mentees=10, max_mentors=5):
    """Graphs with few distinct scores (ties), missing (forbidden) pairs and zero seats."""
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    pairs = [p for p in itertools.product(range(n), range(m)) if draw(st.booleans())]
    scores = draw(st.lists(st.integers(0, 4), min_size=len(pairs), max_size=len(pairs)))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    mentee, mentor = (list(c) for c in zip(*pairs, strict=True)) if pairs else ([], [])
    return CandidateGraph.from_edges(n, m, mentee, mentor, np.array(scores) / 4, capacity)


@pytest.mark.parametrize(
    ("step", "phases_up_to", "near_fit"),
    [(4, 32, 8), (0, 32, 1), (0, 0, 8)],
    ids=["default", "one-edge-steps", "max-flow-only"],
)
@PROPERTIES
@given(graph=tied_graphs())
def test_sweep_floor_equals_brute_force(monkeypatch_module, graph, step, phases_up_to, near_fit):
    # One-edge steps exercise the Hall skips and the bisection on every level; with no
    # search phases every augmentation goes through the region's max-flow.
    monkeypatch_module.setattr(bottleneck, "STEP_PER_MENTEE", step)
    monkeypatch_module.setattr(bottleneck, "PHASES_UP_TO", phases_up_to)
    monkeypatch_module.setattr(bottleneck, "NEAR_FIT", near_fit)
    k, floor = _brute_floor(graph)
    if k:
        assert bottleneck.sweep_floor(graph, k) == floor


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@PROPERTIES
@given(graph=tied_graphs(), data=st.data())
def test_a_shortlist_only_bounds_the_floor_from_below(graph, data):
    # Any edge set that matches k gives a lower bound; the answer is the whole graph's floor.
    k, floor = _brute_floor(graph)
    if not k:
        return
    picked = data.draw(st.lists(st.booleans(), min_size=graph.n_edges, max_size=graph.n_edges))
    keep = np.array(picked, dtype=bool)
    if _matched(graph, keep) == k:
        assert best_floor(graph, k, np.flatnonzero(keep)) == floor


@PROPERTIES
@given(graph=tied_graphs(), data=st.data())
def test_fair_with_forbidden_pairs_reaches_the_floor_of_the_allowed_pairs(graph, data):
    drawn = data.draw(st.lists(st.booleans(), min_size=graph.n_edges, max_size=graph.n_edges))
    allowed = ~np.array(drawn, dtype=bool)
    forbidden = np.column_stack([graph.mentee[~allowed], graph.mentor[~allowed]]).tolist()
    rest = CandidateGraph.from_edges(
        graph.n_mentees,
        graph.n_mentors,
        graph.mentee[allowed],
        graph.mentor[allowed],
        graph.score[allowed],
        graph.capacity,
    )
    k, floor = _brute_floor(rest)
    result = solve(graph, objective="fair", forbidden=forbidden)
    assert result.n_matched == k
    assert result.min_score == floor


def test_sweep_floor_on_a_clustered_graph_with_many_ties():
    # 400 mentees crowd a few mentors' topics; scores in 1/32 steps, 2 % of pairs missing.
    rng = np.random.default_rng(5)
    n, m = 400, 60
    topic = rng.choice(6, n, p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05])
    dense = np.round((0.4 * rng.random((n, m)) + 0.6 * (topic[:, None] == np.arange(m) % 6)) * 32)
    allowed = rng.random((n, m)) >= 0.02
    i, j = np.nonzero(allowed)
    capacity = rng.choice([1, 5, 12], m, p=[0.3, 0.6, 0.1])
    graph = CandidateGraph.from_edges(n, m, i, j, dense[allowed] / 32, capacity)
    k, floor = _brute_floor(graph)
    assert bottleneck.sweep_floor(graph, k) == floor
    with pytest.raises(ValueError, match="cannot match"):
        bottleneck.sweep_floor(graph, k + 1)
