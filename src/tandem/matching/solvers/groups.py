"""Group floors: every opt-in group's match rate at least ``floor`` times the rest's rate.

For a group ``G`` and the rest ``R`` (every other mentee, pinned ones included) the rule
``matched(G) / |G| >= floor * matched(R) / |R|`` is linear once multiplied out, so the
lexicographic objectives become three CP-SAT solves on the same model: maximise the number
matched; fix it and (for `fair`) maximise the rank of the worst-off score; fix that and
maximise the total (scores rescaled to integers, 1e-6 of their range). Exact, but meant for
cohort-sized graphs (up to a few thousand candidate pairs), not the sparse-at-scale path.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from tandem.matching.graph import CandidateGraph

TIME_LIMIT_SECONDS = 60.0
SCORE_STEPS = 1_000_000
GROUP_FLOOR_INFEASIBLE = (
    "No assignment can meet the group floor {floor} given the pinned pairs. "
    "Lower the floor or remove pins."
)
GROUP_FLOOR_NOBODY = (
    "The group floor {floor} holds only if nobody is matched (a group's rate cannot reach it "
    "while anyone else is matched). Lower the floor."
)
GROUP_FLOOR_UNPROVEN = (
    "CP-SAT did not prove an optimum within {seconds} s; group floors are meant for cohorts "
    "up to a few thousand candidate pairs."
)


def _groups(labels: Sequence, n_mentees: int) -> list[np.ndarray]:
    """Member masks of each opt-in group; ``None`` (or -1) means in no group."""
    labels = list(labels)
    if len(labels) != n_mentees:
        raise ValueError(f"group_of_mentee has {len(labels)} entries for {n_mentees} mentees.")
    names = sorted({str(g) for g in labels if g is not None and g != -1})
    as_text = np.array([str(g) for g in labels], dtype=object)
    return [as_text == name for name in names]


def _solve(model: cp_model.CpModel, seed: int, *, full_lp: bool = True) -> cp_model.CpSolver:
    """Solve ``model``; ``full_lp`` puts every seat and one-mentor-each constraint in the LP
    relaxation, which is then nearly integral (a bipartite matching's, plus the floors).

    With CP-SAT's default the LP held one row: on a 30-rung ladder (59 pairs) the total
    found no assignment at all in the time limit, though there is exactly one; 300 mentees
    with two pairs each ran out of time (now 0.1 s of CPU); on 300 x 30 with 3,000 pairs,
    fair's total stopped unproven after 15-20 s of CPU where it now takes 0.2-1 s. The
    worst-off stage (one ``worst <= rank`` per chosen pair) is the exception: the full LP
    made it 5 times slower there, so it keeps the default.
    """
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker: the same seed gives the same answer
    solver.parameters.random_seed = int(seed)
    solver.parameters.max_time_in_seconds = TIME_LIMIT_SECONDS
    if full_lp:
        solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise ValueError(GROUP_FLOOR_INFEASIBLE)
    if status != cp_model.OPTIMAL:
        raise RuntimeError(GROUP_FLOOR_UNPROVEN.format(seconds=TIME_LIMIT_SECONDS))
    return solver


def _model(
    graph: CandidateGraph, groups: list[np.ndarray], floor: float, pinned: np.ndarray
) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{e}") for e in range(graph.n_edges)]
    matched: list[list[cp_model.IntVar]] = [[] for _ in range(graph.n_mentees)]
    seats: list[list[cp_model.IntVar]] = [[] for _ in range(graph.n_mentors)]
    for e, (i, j) in enumerate(zip(graph.mentee.tolist(), graph.mentor.tolist(), strict=True)):
        matched[i].append(x[e])
        seats[j].append(x[e])
    for lits in matched:
        model.add_at_most_one(lits)
    for j, lits in enumerate(seats):
        model.add(sum(lits) <= int(graph.capacity[j]))
    rate = Fraction(floor).limit_denominator(10_000)
    count = [sum(lits) + int(p) for lits, p in zip(matched, pinned, strict=True)]
    for member in groups:
        inside, rest = int(member.sum()), int((~member).sum())
        if inside and rest:
            mine = sum(c for c, m in zip(count, member, strict=True) if m)
            theirs = sum(c for c, m in zip(count, member, strict=True) if not m)
            model.add(rate.denominator * rest * mine >= rate.numerator * inside * theirs)
    return model, x


def floor_edges(
    graph: CandidateGraph,
    group_of_mentee: Sequence,
    floor: float,
    *,
    fair: bool,
    pinned: np.ndarray,
    seed: int = 0,
) -> np.ndarray:
    """Best assignment under the group floor: used edge id per mentee, or -1.

    ``pinned`` marks mentees already matched outside ``graph`` (they count in the rates).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.9, 0.2], [1])
    >>> floor_edges(g, [None, "a"], 1.0, fair=False, pinned=np.zeros(2, bool)).tolist()
    [-1, 1]
    """
    model, x = _model(graph, _groups(group_of_mentee, graph.n_mentees), floor, pinned)
    total_matched = sum(x)
    solver = _solve(_with_objective(model, total_matched), seed)
    count = round(solver.objective_value)
    if not count and not pinned.any() and (graph.capacity[graph.mentor] > 0).any():
        # 1e9 (or a group nobody can match) "held" by matching nobody, silently (families
        # check): a floor no matching of anyone can reach is refused, as pins that block it are.
        raise ValueError(GROUP_FLOOR_NOBODY.format(floor=floor))
    model.add(total_matched == count)
    if fair and graph.n_edges:
        rank = np.unique(graph.score, return_inverse=True)[1].reshape(-1)
        worst = model.new_int_var(0, int(rank.max()), "worst")
        for e, lit in enumerate(x):
            model.add(worst <= int(rank[e])).only_enforce_if(lit)
        solver = _solve(_with_objective(model, worst), seed, full_lp=False)
        model.add(worst >= round(solver.objective_value))
    low, span = (float(graph.score.min()), float(np.ptp(graph.score))) if graph.n_edges else (0, 0)
    weight = np.rint((graph.score - low) / (span or 1.0) * SCORE_STEPS).astype(int).tolist()
    solver = _solve(
        _with_objective(model, sum(w * v for w, v in zip(weight, x, strict=True))), seed
    )
    edge_of = np.full(graph.n_mentees, -1, dtype=np.int64)
    for e, lit in enumerate(x):
        if solver.boolean_value(lit):
            edge_of[graph.mentee[e]] = e
    return edge_of


def _with_objective(model: cp_model.CpModel, objective: cp_model.LinearExprT) -> cp_model.CpModel:
    model.clear_objective()
    model.maximize(objective)
    return model
