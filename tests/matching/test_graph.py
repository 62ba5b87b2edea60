"""``CandidateGraph.from_edges`` refuses malformed input with one clear ``ValueError`` each."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from tandem.matching import graph as graph_module
from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import solve

# Two mentees, two mentors, one seat each: the valid graph every case below spoils once.
VALID = {
    "n_mentees": 2,
    "n_mentors": 2,
    "mentee": [0, 1],
    "mentor": [0, 1],
    "score": [0.5, 0.5],
    "capacity": [1, 1],
}


def _rejected(message: str, **changes) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        CandidateGraph.from_edges(**{**VALID, **changes})


def test_valid_graph_in_any_edge_order_is_accepted():
    graph = CandidateGraph.from_edges(**{**VALID, "mentee": [1, 0], "mentor": [1, 0]})
    assert solve(graph).mentor_of == (0, 1)


@pytest.mark.parametrize("capacity", [[1], [1, 1, 1]])
def test_capacity_of_the_wrong_length(capacity):
    message = graph_module.CAPACITY_SHAPE.format(n_mentors=2, got=(len(capacity),))
    _rejected(message, capacity=capacity)


def test_negative_capacity():
    _rejected(graph_module.CAPACITY_NEGATIVE.format(mentor=1, capacity=-1), capacity=[1, -1])


def test_solve_checks_a_capacity_replaced_after_the_graph_was_built():
    graph = dataclasses.replace(CandidateGraph.from_edges(**VALID), capacity=np.array([1]))
    message = graph_module.CAPACITY_SHAPE.format(n_mentors=2, got=(1,))
    for objective in ("optimal", "fair", "stable"):
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            solve(graph, objective=objective)


def test_edge_arrays_of_different_lengths():
    message = graph_module.EDGE_LENGTHS.format(lengths="mentee (2,), mentor (2,), score (3,)")
    _rejected(message, score=[0.5, 0.5, 0.5])


def test_preferences_of_a_different_length():
    message = graph_module.EDGE_LENGTHS.format(
        lengths="mentee (2,), mentor (2,), score (2,), mentor_pref (1,)"
    )
    _rejected(message, mentor_pref=[0.5])


def test_mentee_index_out_of_range():
    message = graph_module.EDGE_OUT_OF_RANGE.format(
        edge=1, mentee=2, mentor=1, n_mentees=2, n_mentors=2
    )
    _rejected(message, mentee=[0, 2])


def test_negative_mentor_index():
    message = graph_module.EDGE_OUT_OF_RANGE.format(
        edge=0, mentee=0, mentor=-1, n_mentees=2, n_mentors=2
    )
    _rejected(message, mentor=[-1, 1])


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_score_that_is_not_finite(value):
    message = graph_module.EDGE_NOT_FINITE.format(
        edge=0, mentee=0, mentor=0, name="score", value=value
    )
    _rejected(message, score=[value, 0.5])


@pytest.mark.parametrize("value", [1e308, -1e13])
def test_score_beyond_the_limit(value):
    """Review: [1e308, -1e308, 0, 1] passed the checks and then crashed every flow solver
    (BAD_COST_RANGE): the scores' range overflowed."""
    message = graph_module.SCORE_TOO_LARGE.format(edge=0, mentee=0, mentor=0, value=value)
    _rejected(message, score=[value, 0.5])


def test_scores_apart_by_less_than_a_float_can_divide_are_solved_as_equal():
    g = CandidateGraph.from_edges(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [5e-324, 0, 1e-320, 0], [1, 1])
    for objective in ("optimal", "fair", "stable"):
        assert solve(g, objective=objective).n_matched == 2


def test_preference_that_is_not_finite():
    message = graph_module.EDGE_NOT_FINITE.format(
        edge=1, mentee=1, mentor=1, name="mentee_pref", value=np.nan
    )
    _rejected(message, mentee_pref=[0.5, np.nan])


def test_repeated_pair_names_the_lowest_one_and_every_copy():
    # Out of order, so the sorted check runs; (0, 1) is the lowest repeated pair.
    edges = {"mentee": [1, 0, 1, 0, 1], "mentor": [1, 1, 1, 1, 0], "score": [0.1] * 5}
    message = graph_module.EDGE_REPEATED.format(mentee=0, mentor=1, count=2, edges=[1, 3])
    _rejected(message, **edges)
