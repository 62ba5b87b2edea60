"""The all-pairs proof's priced pass: only mentors cheap enough to matter are loaded.

Each check runs the pass twice, over every pair and with ``outside`` (the pruned pass), on
small random instances with tied scores, tied prices and forbidden pairs, and compares both
with a brute-force computation over all pairs.
"""

import numpy as np
import pytest

from tandem.matching.candidates.blocks import priced_blocks
from tandem.matching.candidates.gap import check_candidates
from tandem.matching.candidates.generate import generate_candidates
from tandem.matching.candidates.proof import check_all_pairs, graph_values, mentor_prices
from tandem.matching.candidates.topk import top_per_row
from tandem.matching.features import FeatureSpace, resolve_weights
from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import solve
from tandem.matching.synthetic import people


@pytest.mark.parametrize("seed", range(8))
def test_priced_blocks_cover_every_mentor_below_each_reach(seed):
    rng = np.random.default_rng(seed)
    prices = rng.integers(0, 5, 30) / 4  # many tied prices
    reach = rng.integers(-1, 7, 50) / 4  # some at exactly a price, some below them all
    covered = np.zeros((50, 30), dtype=int)
    for rows, cols in priced_blocks(reach, prices, pairs=40):
        assert np.all(np.diff(rows) > 0) and np.all(np.diff(cols) > 0)
        assert len(rows) * len(cols) <= 40 or len(rows) == 1
        covered[np.ix_(rows, cols)] += 1
    needed = prices[None, :] < reach[:, None]
    assert np.all(covered[needed] == 1)  # each needed pair once
    assert not covered[reach <= prices.min()].any()  # rows with nothing to load are left out


def instance(seed: int, n: int = 40, m: int = 9, k: int = 2):
    """Tied scores on a coarse grid, forbidden pairs (-inf), a top-k graph by an upper bound,
    and the top-k pass's bound on everything outside it."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 9, (n, m)) / 8
    allowed = rng.random((n, m)) > 0.25
    upper = np.where(allowed, scores + rng.integers(0, 3, (n, m)) / 16, -np.inf)
    upper = upper.astype(np.float32)
    rows, cols, outside = top_per_row(upper, k, allowed)
    graph = CandidateGraph.from_edges(n, m, rows, cols, scores[rows, cols], rng.integers(0, 4, m))
    counts = (allowed.any(axis=1), allowed.sum(axis=0))
    return scores, allowed, upper, graph, outside, counts


def brute_force_value(scores, allowed, prices):
    """Per mentee ``max(0, max_j s[i, j] - lam[j])`` over every allowed pair."""
    reduced = np.where(allowed, scores - prices[None, :], -np.inf)
    return np.maximum(reduced.max(axis=1), 0.0)


def both_passes(scores, upper, graph, outside, counts, prices):
    def load(rows, cols):
        return upper[rows][:, cols].copy(), None

    def run(bound):
        return check_all_pairs(
            graph, prices, load, lambda i, j: scores[i, j], counts=counts, outside=bound
        )

    return run(None), run(outside)


@pytest.mark.parametrize("seed", range(20))
def test_the_priced_pass_finds_every_missed_pair_and_still_bounds_each_mentee(seed):
    scores, allowed, upper, graph, outside, counts = instance(seed)
    mentor_of = np.asarray(solve(graph).mentor_of)
    # The optimal flow's prices, and coarse tied ones that leave many pairs at the edge.
    for prices in (mentor_prices(graph, mentor_of), np.round(mentor_prices(graph, mentor_of), 1)):
        whole, priced = both_passes(scores, upper, graph, outside, counts, prices)
        assert priced.missed.tolist() == whole.missed.tolist()
        assert priced.missed_score.tolist() == whole.missed_score.tolist()
        assert priced.stats == whole.stats and priced.matchable == whole.matchable
        assert np.all(priced.value >= brute_force_value(scores, allowed, priced.prices) - 1e-12)
        assert priced.upper_bound <= whole.upper_bound


def test_the_priced_pass_loads_only_mentors_that_can_matter():
    scores, allowed, upper, graph, outside, counts = instance(3, n=200, m=30, k=3)
    prices = mentor_prices(graph, np.asarray(solve(graph).mentor_of))
    loaded = np.zeros(scores.shape, dtype=bool)

    def load(rows, cols):
        loaded[np.ix_(np.arange(200)[rows], np.arange(30)[cols])] = True
        return upper[rows][:, cols].copy(), None

    check_all_pairs(graph, prices, load, lambda i, j: scores[i, j], counts=counts, outside=outside)
    own = graph_values(graph, prices)
    # Every pair that could raise its mentee's value (or be missed) was loaded ...
    could_matter = allowed & (upper - prices[None, :] > own[:, None] - 1e-5)
    in_graph = np.zeros(scores.shape, dtype=bool)
    in_graph[graph.mentee, graph.mentor] = True
    assert not (could_matter & ~in_graph & ~loaded).any()
    # ... and far from all pairs were.
    assert loaded.mean() < 0.8


def test_outside_needs_counts():
    scores, _, upper, graph, outside, _ = instance(0)
    with pytest.raises(ValueError, match="needs counts"):
        check_all_pairs(
            graph,
            np.zeros(9),
            lambda r, c: (upper[r][:, c], None),
            lambda i, j: scores[i, j],
            outside=outside,
        )


@pytest.mark.parametrize("forbidden", [[], [("e1", "r3"), ("e4", "r0"), ("e7", "r2")]])
def test_check_candidates_priced_and_whole_agree_on_a_cohort(forbidden):
    mentees, mentors = people(300, 80, seed=5)
    space, w = FeatureSpace(mentees, mentors), resolve_weights()
    found = generate_candidates(space, w, dense_limit=0, top_k=3, forbidden=forbidden)
    mentor_of = np.asarray(solve(found.graph).mentor_of)
    prices = mentor_prices(found.graph, mentor_of)
    priced = check_candidates(space, w, found, found.graph, prices)
    found.cheap_outside = None  # the pass over every pair
    whole = check_candidates(space, w, found, found.graph, prices)
    assert priced.missed.tolist() == whole.missed.tolist()
    assert priced.upper_bound <= whole.upper_bound
    assert priced.upper_bound >= whole.upper_bound - 300 * 2e-5
