"""Exactness on sparse random graphs (#14): each mentee has a few dozen random mentors with
uniform scores and supply is about demand, as in ``bench/match.py --size sparse-random``.

Nothing here favours the first shortlist (each mentee's 6 best pairs): mentors are as popular
as chance makes them, so ``optimal`` must grow the shortlist from its certificates. It must
do so without falling back to one flow on the whole graph, and its answer must equal an
independent dense solve (SciPy on the capacity-expanded matrix) with a proven bound.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.matching.test_clustered_solve import assert_dense_optimum

from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import solve
from tandem.matching.solvers import shortlist


def sparse_random(seed: int, seats: str, n: int = 600, m: int = 120, k: int = 30):
    """``k`` random mentors per mentee (repeats dropped), uniform scores, as many seats as
    mentees: ``n / m`` each (``seats="equal"``) or each seat given to a random mentor
    (``"random"``: some mentors have none, some twice the average)."""
    rng = np.random.default_rng(seed)
    picks = np.sort(rng.integers(0, m, (n, k)), axis=1)
    fresh = np.ones(picks.shape, dtype=bool)
    fresh[:, 1:] = picks[:, 1:] != picks[:, :-1]
    mentee, mentor = np.nonzero(fresh)[0], picks[fresh]
    score = rng.random(len(mentee))
    if seats == "equal":
        capacity = np.full(m, n // m)
    else:
        capacity = np.bincount(rng.integers(0, m, n), minlength=m)
    graph = CandidateGraph.from_edges(n, m, mentee, mentor, score, capacity)
    dense = np.full((n, m), -np.inf)
    dense[mentee, mentor] = score
    return graph, dense


# Seeds 0-3 with random seats and seed 2 with equal seats need at least one round of growth.
@pytest.mark.parametrize("seats", ["equal", "random"])
@pytest.mark.parametrize("seed", range(4))
def test_optimal_on_sparse_random_graphs_grows_the_shortlist_to_the_dense_optimum(seed, seats):
    graph, dense = sparse_random(seed, seats)
    proven = shortlist.proven_optimal(graph)
    assert proven.rounds >= 0  # proven on a shortlist, not solved on the whole graph
    assert proven.shortlist is not None and len(proven.shortlist) < graph.n_edges / 2
    assert_dense_optimum(graph, dense, solve(graph))
