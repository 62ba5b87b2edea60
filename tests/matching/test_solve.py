"""Hand-built instances with known answers for ``tandem.matching.solve``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tandem.matching import solve as solve_module
from tandem.matching.explain import unmatched_reason
from tandem.matching.graph import CandidateGraph
from tandem.matching.solve import (
    ALL_COMPATIBLE_FULL,
    GROUP_FLOOR,
    NO_EDGES,
    NOT_SELECTED,
    Assignment,
    count_blocking_pairs,
    solve,
    unmatched_causes,
)
from tandem.matching.solvers import constraints, groups


def _graph(n, m, edges, capacity, **prefs):
    mentee, mentor, score = zip(*edges, strict=True) if edges else ((), (), ())
    return CandidateGraph.from_edges(n, m, mentee, mentor, score, capacity, **prefs)


# Two mentors with one seat each. Optimal takes 0-0 and 1-1 (total 1.1, worst 0.1);
# fair takes 0-1 and 1-0 (total 1.0, worst 0.5); mentee 2 only fits mentor 1.
TRADE_OFF = _graph(3, 2, [(0, 0, 1.0), (0, 1, 0.5), (1, 0, 0.5), (1, 1, 0.1), (2, 1, 0.05)], [1, 1])


class TestSolveObjective:
    def test_optimal_maximises_total_after_cardinality(self):
        result = solve(TRADE_OFF)
        assert result.mentor_of == (0, 1, -1)
        assert result.total_score == pytest.approx(1.1)
        assert result.min_score == pytest.approx(0.1)
        assert result.upper_bound >= result.total_score
        assert result.gap < 1e-6
        assert result.bound_method == "lp_dual"

    def test_fair_raises_the_worst_off(self):
        result = solve(TRADE_OFF, objective="fair")
        assert result.mentor_of == (1, 0, -1)
        assert result.min_score == pytest.approx(0.5)
        assert result.upper_bound >= 1.1  # still bounds the optimal total

    def test_stable_is_mentee_optimal_deferred_acceptance(self):
        result = solve(TRADE_OFF, objective="stable")
        assert result.mentor_of == (0, 1, -1)
        assert result.blocking_pairs == 0
        assert result.upper_bound >= 1.1

    def test_cardinality_comes_before_score(self):
        # One great pair (0-0) would leave mentee 1 out; two weak pairs match both.
        graph = _graph(2, 2, [(0, 0, 10.0), (0, 1, 0.1), (1, 0, 0.1)], [1, 1])
        assert solve(graph).mentor_of == (1, 0)
        assert solve(graph, objective="fair").mentor_of == (1, 0)

    def test_capacity_is_shared(self):
        graph = _graph(3, 1, [(0, 0, 0.3), (1, 0, 0.9), (2, 0, 0.6)], [2])
        assert solve(graph).mentor_of == (-1, 0, 0)
        assert solve(graph, objective="stable").mentor_of == (-1, 0, 0)

    def test_stable_uses_separate_preferences(self):
        # Scores say 0-0 and 1-1, but mentor 0 prefers mentee 1 and mentee 1 prefers mentor 0.
        graph = _graph(
            2,
            2,
            [(0, 0, 0.9), (0, 1, 0.1), (1, 0, 0.1), (1, 1, 0.9)],
            [1, 1],
            mentee_pref=[2, 1, 2, 1],
            mentor_pref=[1, 1, 2, 1],
        )
        assert solve(graph).mentor_of == (0, 1)
        assert solve(graph, objective="stable").mentor_of == (1, 0)

    def test_stable_ties_go_to_the_lower_index(self):
        graph = _graph(2, 2, [(0, 0, 0.5), (0, 1, 0.5), (1, 0, 0.5), (1, 1, 0.5)], [1, 1])
        assert solve(graph, objective="stable").mentor_of == (0, 1)

    def test_empty_graph(self):
        result = solve(_graph(2, 1, [], [1]))
        assert result.mentor_of == (-1, -1)
        assert result.total_score == 0.0 and result.min_score is None
        assert result.upper_bound == 0.0
        assert result.unmatched_cause == (NO_EDGES, NO_EDGES)

    def test_zero_capacity_mentor(self):
        graph = _graph(1, 2, [(0, 0, 0.9), (0, 1, 0.2)], [0, 1])
        for objective in ("optimal", "fair", "stable"):
            assert solve(graph, objective=objective).mentor_of == (1,)


class TestSolveConstraint:
    def test_pinned_pair_is_kept_and_uses_a_seat(self):
        result = solve(TRADE_OFF, pinned=[(2, 1)])
        assert result.mentor_of == (0, -1, 1)
        assert result.unmatched_cause == (None, ALL_COMPATIBLE_FULL, None)
        assert result.upper_bound == pytest.approx(1.05)

    def test_forbidden_pair_is_never_used(self):
        result = solve(TRADE_OFF, forbidden=[(0, 0)])
        assert result.mentor_of == (1, 0, -1)
        assert (0, 0) not in result.pairs

    def test_forbidden_pair_does_not_block(self):
        graph = _graph(2, 1, [(0, 0, 0.9), (1, 0, 0.2)], [1])
        result = solve(graph, objective="stable", forbidden=[(0, 0)])
        assert result.mentor_of == (-1, 0)
        assert result.blocking_pairs == 0
        assert count_blocking_pairs(graph, result.mentor_of) == 1

    def test_repeated_pin_is_harmless(self):
        assert solve(TRADE_OFF, pinned=[(2, 1), (2, 1)]).mentor_of == (0, -1, 1)

    @pytest.mark.parametrize(
        ("pinned", "forbidden", "message"),
        [
            ([(2, 0)], [], constraints.PIN_NOT_ALLOWED.format(mentee=2, mentor=0)),
            ([(0, 0)], [(0, 0)], constraints.PIN_NOT_ALLOWED.format(mentee=0, mentor=0)),
            ([(0, 0), (0, 1)], [], constraints.PIN_MENTEE_TWICE.format(mentee=0, mentors=[0, 1])),
            (
                [(0, 0), (1, 0)],
                [],
                constraints.PIN_OVER_CAPACITY.format(mentor=0, pins=2, capacity=1),
            ),
        ],
    )
    def test_bad_pins_are_rejected_with_a_clear_message(self, pinned, forbidden, message):
        with pytest.raises(ValueError) as error:
            solve(TRADE_OFF, pinned=pinned, forbidden=forbidden)
        assert str(error.value) == message

    def test_out_of_range_pair(self):
        with pytest.raises(ValueError, match="out of range"):
            solve(TRADE_OFF, forbidden=[(7, 0)])

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Unknown objective"):
            solve(TRADE_OFF, objective="best")
        with pytest.raises(ValueError, match="group_of_mentee"):
            solve(TRADE_OFF, group_floor=0.8)
        with pytest.raises(ValueError, match="stable"):
            solve(TRADE_OFF, objective="stable", group_of_mentee=[None] * 3, group_floor=0.8)
        with pytest.raises(ValueError, match="outside_bound"):
            solve(TRADE_OFF, outside_bound=[0.0])

    @pytest.mark.parametrize("floor", [-1.0, math.nan, math.inf, "1"])
    def test_a_group_floor_that_is_not_a_finite_number_is_refused(self, floor):
        # infinity reached CP-SAT's model and failed there as an OverflowError (families check)
        with pytest.raises(ValueError, match="finite number >= 0"):
            solve(TRADE_OFF, group_of_mentee=["a", None, None], group_floor=floor)


class TestSolveGroupFloor:
    def test_floor_lets_the_group_in(self):
        graph = _graph(2, 1, [(0, 0, 0.9), (1, 0, 0.2)], [1])
        assert solve(graph).mentor_of == (0, -1)
        floored = solve(graph, group_of_mentee=[None, "a"], group_floor=1.0)
        assert floored.mentor_of == (-1, 0)
        assert floored.unmatched_cause == (ALL_COMPATIBLE_FULL, None)

    @pytest.mark.parametrize("objective", ["optimal", "fair"])
    @pytest.mark.parametrize(("labels", "floor"), [([None, "a"], 1.0), (["a", "b"], 1e9)])
    def test_a_floor_that_holds_only_if_nobody_is_matched_is_refused(
        self, objective, labels, floor
    ):
        # Families check: the group's only mentee has no pair (or 1e9 between two groups), so
        # the floor "held" by matching nobody, silently.
        graph = _graph(2, 2, [(0, 0, 0.9), (1, 1, 0.5)], [1, 0])
        with pytest.raises(ValueError) as error:
            solve(graph, objective=objective, group_of_mentee=labels, group_floor=floor)
        assert str(error.value) == groups.GROUP_FLOOR_NOBODY.format(floor=floor)

    def test_a_floor_that_leaves_a_seat_empty_names_the_floor_and_keeps_the_gap(self):
        # Families check: with negative scores the floor matched fewer than the optimum and
        # beat its exactly-K bound (a negative gap); the mentee it left out was "not_selected".
        graph = _graph(4, 2, [(0, 0, -0.5), (1, 0, -0.5), (2, 1, -0.1)], [2, 1])
        assert solve(graph).n_matched == 3
        for objective in ("optimal", "fair"):
            floored = solve(
                graph, objective=objective, group_of_mentee=[None, None, "a", "a"], group_floor=1.0
            )
            assert floored.n_matched == 2
            assert floored.gap >= 0
            assert sorted(c for c in floored.unmatched_cause if c) == [GROUP_FLOOR, NO_EDGES]
        assert unmatched_reason(GROUP_FLOOR).criterion == GROUP_FLOOR

    def test_floor_already_met_changes_nothing(self):
        result = solve(
            TRADE_OFF, objective="fair", group_of_mentee=["a", None, None], group_floor=1.0
        )
        assert result.mentor_of == (1, 0, -1)

    def test_floor_impossible_with_pins(self):
        graph = _graph(2, 2, [(0, 0, 0.9), (1, 1, 0.2)], [1, 0])
        with pytest.raises(ValueError) as error:
            solve(graph, pinned=[(0, 0)], group_of_mentee=[None, "a"], group_floor=0.5)
        assert str(error.value) == groups.GROUP_FLOOR_INFEASIBLE


class TestSolveReport:
    def test_result_uses_python_types(self):
        result = solve(TRADE_OFF)
        assert isinstance(result, Assignment)
        assert all(type(j) is int for j in result.mentor_of)
        assert all(s is None or type(s) is float for s in result.score_of)
        assert type(result.total_score) is float and type(result.upper_bound) is float
        assert type(result.blocking_pairs) is int and type(result.n_matched) is int
        assert set(result.phase_seconds) == {"constraints", "solve", "bound", "report"}

    def test_progress_is_reported_per_phase(self):
        seen = []
        solve(TRADE_OFF, progress=lambda phase, step, total: seen.append((phase, step, total)))
        assert [s[0] for s in seen] == ["constraints", "solve", "bound", "report"]
        assert seen[-1][1:] == (4, 4)

    def test_unmatched_causes(self):
        graph = _graph(3, 2, [(0, 0, 0.5), (1, 0, 0.4), (1, 1, 0.1)], [1, 1])
        assert unmatched_causes(graph, [0, -1, -1]) == [None, NOT_SELECTED, NO_EDGES]
        assert unmatched_causes(graph, [0, 1, -1]) == [None, None, NO_EDGES]
        assert unmatched_causes(graph, [0, -1, -1], forbidden=[(1, 1)]) == [
            None,
            ALL_COMPATIBLE_FULL,
            NO_EDGES,
        ]

    def test_blocking_pairs_with_and_without_tie_breaks(self):
        graph = _graph(2, 1, [(0, 0, 0.5), (1, 0, 0.5)], [1])
        assert count_blocking_pairs(graph, [-1, 0]) == 0
        assert count_blocking_pairs(graph, [-1, 0], break_ties=True) == 1

    def test_assigning_a_non_edge_is_rejected(self):
        with pytest.raises(ValueError, match="not an allowed pair"):
            count_blocking_pairs(TRADE_OFF, [1, 1, 0])

    def test_outside_bound_covers_pairs_outside_the_graph(self):
        # Candidates hold only 0-0; the missing pair 1-0 could score up to 2.0.
        graph = _graph(2, 1, [(0, 0, 0.5)], [1])
        assert solve(graph).upper_bound == pytest.approx(0.5)
        assert solve(graph, outside_bound=[0.0, 2.0]).upper_bound >= 2.0

    def test_same_inputs_same_result(self):
        rng = np.random.default_rng(3)
        graph = CandidateGraph.from_edges(
            30,
            6,
            np.repeat(np.arange(30), 6),
            np.tile(np.arange(6), 30),
            rng.integers(0, 4, 180) / 4,
            np.full(6, 4),
        )
        for objective in solve_module.OBJECTIVES:
            first = solve(graph, objective=objective, seed=5)
            second = solve(graph, objective=objective, seed=5)
            assert first.mentor_of == second.mentor_of


@pytest.mark.parametrize("objective", solve_module.OBJECTIVES)
def test_unlimited_capacity_as_the_int64_maximum(objective):
    # Seats summed past int64 wrapped negative: stable raised "kth out of bounds" (or
    # reported an upper bound of 0), fair an IndexError in its floor search.
    unlimited = np.iinfo(np.int64).max
    edges = [(0, 0, 1.0), (0, 1, 0.3), (1, 0, 0.6), (1, 1, 0.7), (1, 2, 0.3), (2, 0, 0.0)]
    edges += [(2, 1, 1.0), (3, 0, 0.3), (3, 1, 0.3), (3, 2, 0.9), (4, 0, 0.6), (4, 1, 0.5)]
    result = solve(_graph(5, 3, edges, [unlimited, unlimited, 1]), objective=objective)
    expected = solve(_graph(5, 3, edges, [5, 5, 1]), objective=objective)
    assert result.mentor_of == expected.mentor_of
    assert result.upper_bound == pytest.approx(expected.upper_bound)
    assert result.unmatched_cause == expected.unmatched_cause
