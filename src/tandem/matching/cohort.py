"""One cohort's solve and the steps after it that grow a top-k candidate set (refill, the
bound over all pairs), kept apart from the pipeline that builds the features and the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from tandem.matching.candidates.gap import check_candidates, without_pins
from tandem.matching.candidates.generate import CandidateSet, add_pairs
from tandem.matching.candidates.proof import mentor_prices
from tandem.matching.candidates.refill import refill
from tandem.matching.features import FeatureSpace
from tandem.matching.graph import CandidateGraph

if TYPE_CHECKING:  # the solver module loads OR-Tools: imported on first use (solver_module)
    from tandem.matching.solve import Assignment

MAX_BOUND_ROUNDS = 6
MAX_REFILL_ROUNDS = 8  # fair and stable: refill rounds while each still matches more mentees


def solver_module() -> ModuleType:
    """The solver module, imported on first use: OR-Tools takes a second to load and
    rank_mentors_for never needs it."""
    from tandem.matching import solve

    return solve


def solve_graph(
    graph: CandidateGraph,
    *,
    objective: str,
    pinned: list[tuple[int, int]],
    seed: int,
    outside_bound: np.ndarray | None,
) -> tuple[Assignment, list[str | None]]:
    solver = solver_module()
    assignment = solver.solve(
        graph,
        objective=objective,
        pinned=pinned,
        seed=seed,
        outside_bound=outside_bound,
    )
    causes = getattr(assignment, "unmatched_cause", None)
    if causes is None:
        causes = solver.unmatched_causes(graph, assignment.mentor_of)
    return assignment, list(causes)


class CohortMatch:
    """The solve and the steps after it that grow the candidate set, on one cohort.

    Each step leaves the latest ``assignment`` (and the solver's ``causes`` per mentee);
    :func:`match_participants` runs them in order, :meth:`solve` first.
    """

    assignment: Assignment  # set by the first solve

    def __init__(
        self,
        space: FeatureSpace,
        weights: Mapping[str, float],
        found: CandidateSet,
        *,
        objective: str,
        seed: int,
        pins: list[tuple[int, int]],
    ) -> None:
        self.space, self.weights, self.found = space, weights, found
        self.objective, self.seed, self.pins = objective, seed, pins
        self.causes: list[str | None] = []
        self.proof: dict[str, Any] | None = None

    def solve(self) -> None:
        """Solve on the candidate graph as it stands."""
        self.assignment, self.causes = solve_graph(
            self.found.graph,
            objective=self.objective,
            seed=self.seed,
            pinned=self.pins,
            outside_bound=self.found.outside_bound,
        )

    def refill(self, top_k: int) -> int:
        """Mentees whose candidates all filled up get the mentors with room; solve again if
        any pair was added. Returns how many.

        ``optimal`` refills once: :meth:`close_gap` then adds every pair its bound misses.
        ``fair`` and ``stable`` have no such pass, so they refill again while a round still
        matches more mentees (at most ``MAX_REFILL_ROUNDS``): with ``top_k=1`` one round left
        74 of 155 mentees waiting beside mentors with room (families check); six matched all.
        """
        added = 0
        for _ in range(1 if self.objective == "optimal" else MAX_REFILL_ROUNDS):
            before = self.assignment.n_matched
            mentor_of = self.assignment.mentor_of
            more = refill(self.space, self.weights, self.found, mentor_of, self.causes, top_k=top_k)
            if more:
                self.solve()
            added += more
            if not more or self.assignment.n_matched <= before:
                break
        return added

    def close_gap(self, gap_target: float) -> None:
        """Prove a bound over all pairs; for ``optimal``, while it leaves a gap, add the
        missed pairs and solve again.

        Each round is one pass of the cheap bound over all pairs
        (:func:`~tandem.matching.candidates.gap.check_candidates`) with the optimal flow's
        mentor prices. ``fair`` and ``stable`` get one pass, priced by the optimal assignment
        of their candidate graph: the bound on the best total over all pairs, against which
        their own total shows what fairness or stability costs. Pinned mentees and their seats
        are taken out first (their scores are fixed), so the prices are those of the problem
        the solver really solved. Leaves a summary for the report in ``proof``.
        """
        space, weights, found = self.space, self.weights, self.found
        added, rounds = 0, 0
        pinned = np.array(sorted({i for i, _ in self.pins}), dtype=np.int64)
        while True:
            rest = without_pins(found.graph, self.assignment.mentor_of, self.pins)
            mentor_of = rest.mentor_of
            if self.objective != "optimal":
                mentor_of = solver_module().solve(rest.graph, objective="optimal").mentor_of
            prices = mentor_prices(rest.graph, mentor_of)
            check = check_candidates(space, weights, found, rest.graph, prices, pinned)
            bound = min(rest.pinned_total + check.upper_bound, self.assignment.upper_bound)
            gap = (bound - self.assignment.total_score) / max(abs(bound), 1e-12)
            done = gap <= gap_target or not len(check.missed) or rounds >= MAX_BOUND_ROUNDS
            if done or self.objective != "optimal":
                break
            added += add_pairs(space, weights, found, check.missed)
            self.solve()
            rounds += 1
        self.proof = {
            "upper_bound": float(bound),
            "method": "lagrangian over all allowed pairs (mentor prices from the optimal flow)",
            "rounds": rounds,
            "added_pairs": added,
            "checked_pairs": check.checked,
            "missed_pairs_left": int(check.stats["missed_pairs"]),
            "matchable_at_most": check.matchable + len(pinned),
        }
