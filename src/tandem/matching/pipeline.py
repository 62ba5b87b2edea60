"""The Python API the Django side calls: records in, pairs with reasons and a report out.

:func:`match_participants` runs a cohort match; :func:`rank_mentors_for` recommends mentors
to one mentee (self-serve programs); :func:`match_score_table` matches a precomputed table.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tandem.matching.candidates.blocks import one_blas_thread
from tandem.matching.candidates.generate import (
    DEFAULT_TOP_K,
    DENSE_LIMIT,
    CandidateSet,
    add_pairs,
    build_candidates,
    cheap_block_loader,
)
from tandem.matching.candidates.proof import check_all_pairs, mentor_prices
from tandem.matching.candidates.refill import repair
from tandem.matching.candidates.rules import UNKNOWN_PAIR_ID
from tandem.matching.candidates.scoring import edge_scores
from tandem.matching.explain import UNMATCHED, explain_pairs, unmatched_reason
from tandem.matching.features import (
    CRITERIA,
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
    check_rules,
    combine,
    pair_features,
    resolve_weights,
)
from tandem.matching.graph import CandidateGraph
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.report import build_report
from tandem.matching.scoretable import ScoreTable
from tandem.matching.text import Embedder

OBJECTIVES = ("optimal", "fair", "stable")
UNKNOWN_OBJECTIVE = "objective must be one of optimal, fair, stable (got {value!r})"
DUPLICATE_PARTICIPANT = "duplicate {side} id {value!r}"
UNKNOWN_PRIVATE = "unknown private criterion {name!r}: choose from " + ", ".join(CRITERIA)
# Report figures computed on the solver's scores: with a private criterion they would carry it.
SOLVER_FIGURES = ("upper_bound", "gap", "relative_gap", "blocking_pairs", "candidate_pairs")
TABLE_REASON = "score from the table"
GAP_TARGET = 1e-3  # top-k mode: add missed pairs until the proven relative gap is this small
MAX_BOUND_ROUNDS = 6


@dataclass
class MatchResult:
    """Pairs (``mentee_id``, ``mentor_id``, ``score``, ``reasons``, ``criteria``), the
    unmatched (``mentee_id``, ``reason``) in input order, and the report dictionary."""

    pairs: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    report: dict = field(default_factory=dict)


class _Clock:
    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


def _check_ids(people: Sequence, side: str) -> None:
    seen: set[str] = set()
    for person in people:
        if person.id in seen:
            raise ValueError(DUPLICATE_PARTICIPANT.format(side=side, value=person.id))
        seen.add(person.id)


def _solver():
    """The solver module, imported on first use: OR-Tools takes a second to load and
    rank_mentors_for never needs it."""
    from tandem.matching import solve

    return solve


def _solve(graph: CandidateGraph, *, objective, pinned, seed, progress, outside_bound):
    solver = _solver()
    assignment = solver.solve(
        graph,
        objective=objective,
        pinned=pinned,
        seed=seed,
        progress=progress,
        outside_bound=outside_bound,
    )
    causes = getattr(assignment, "unmatched_cause", None)
    if causes is None:
        causes = solver.unmatched_causes(graph, assignment.mentor_of)
    return assignment, list(causes)


def _index_pairs(pairs: Iterable[tuple[str, str]], mentee_index, mentor_index) -> list:
    out = []
    for mentee, mentor in pairs:
        for index, person in ((mentee_index, mentee), (mentor_index, mentor)):
            if person not in index:
                raise ValueError(
                    UNKNOWN_PAIR_ID.format(kind="pin", pair=(mentee, mentor), id=person)
                )
        out.append((mentee_index[mentee], mentor_index[mentor]))
    return out


@one_blas_thread
def match_participants(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    *,
    objective: str = "optimal",
    weights: Mapping[str, float] | None = None,
    reverse: bool = False,
    conflict_rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    pinned: Iterable[tuple[str, str]] = (),
    forbidden: Iterable[tuple[str, str]] = (),
    seed: int = 0,
    top_k: int = DEFAULT_TOP_K,
    dense_limit: int = DENSE_LIMIT,
    embedder: Embedder | None = None,
    progress: Callable[[int], None] | None = None,
    warnings: Sequence[str] = (),
    gap_target: float = GAP_TARGET,
    private_criteria: Iterable[str] = (),
) -> MatchResult:
    """Match a cohort.

    Parameters
    ----------
    mentees, mentors : sequences of Mentee and Mentor
    objective : {"optimal", "fair", "stable"}
    weights : mapping of criterion to weight, optional
        Overrides :data:`~tandem.matching.features.DEFAULT_WEIGHTS`.
    reverse : bool
        Reverse mentoring (the junior mentors the senior).
    conflict_rules : iterable of {"manager", "department"}
    pinned, forbidden : iterables of (mentee id, mentor id)
    seed : int
        The same inputs and seed always give the same result.
    top_k : int
        Candidates per person when ``n * m > dense_limit`` (too large for all pairs).
    embedder : Embedder, optional
        Defaults to the built-in embedder.
    progress : callable, optional
        Called with the number of mentees scored so far in each step.
    warnings : sequence of str
        Carried into the report (e.g. from reading the files).
    gap_target : float
        Top-k mode, ``optimal``: pairs the candidates missed are added (and the problem solved
        again) until the proven relative gap over all pairs is at most this, or nothing is
        missed any more, or after ``MAX_BOUND_ROUNDS`` rounds (see
        :mod:`tandem.matching.candidates.proof`).
    private_criteria : iterable of criterion names
        Criteria that steer which pairs the solver chooses but appear in no output: each
        pair's ``score`` is the weighted mean of the other criteria only, its ``reasons`` and
        ``criteria`` leave them out, and the report gives no figure computed on the solver's
        scores (``upper_bound``, ``gap``, ``relative_gap``, ``bound``, ``blocking_pairs``,
        ``candidate_pairs`` are None or absent). Tandem passes ``("identity",)``.

    Returns
    -------
    MatchResult

    Raises
    ------
    ValueError
        Unknown objective, criterion or rule; duplicate ids; a pin that breaks a hard rule.

    Notes
    -----
    Features are computed for every allowed pair while ``n * m`` is at most
    :data:`~tandem.matching.candidates.generate.DENSE_LIMIT`, else for top-k candidates; the solver
    gets ``outside_bound`` so its reported upper bound covers all pairs. In top-k mode
    ``optimal`` then proves a Lagrangian bound over every allowed pair with the flow's mentor
    prices and repairs the candidate graph (report: ``upper_bound``, ``gap``, ``bound``);
    ``fair`` and ``stable`` get the same bound on the best total, without the repair.

    Examples
    --------
    >>> result = match_participants(
    ...     [Mentee(id="a", goals="speed up slow SQL queries", cadence="weekly"),
    ...      Mentee(id="b", goals="present to the board", languages=("de",))],
    ...     [Mentor(id="m", expertise="database performance", cadence="weekly",
    ...             languages=("en",))])
    >>> [(p["mentee_id"], p["mentor_id"], p["reasons"]) for p in result.pairs]
    [('a', 'm', 'shares goals in databases and SQL, performance optimisation; both prefer weekly')]
    >>> result.unmatched
    [{'mentee_id': 'b', 'reason': 'no mentor shares a language'}]
    """
    if objective not in OBJECTIVES:
        raise ValueError(UNKNOWN_OBJECTIVE.format(value=objective))
    public = _public_criteria(private_criteria)
    _check_ids(mentees, "mentee")
    _check_ids(mentors, "mentor")
    resolved, rules = resolve_weights(weights), check_rules(conflict_rules)
    pinned, clock = list(pinned), _Clock()
    space = FeatureSpace(mentees, mentors, embedder=embedder, reverse=reverse)
    clock.lap("embed")
    found = build_candidates(
        space,
        resolved,
        rules=rules,
        forbidden=forbidden,
        pinned=pinned,
        top_k=top_k,
        dense_limit=dense_limit,
        progress=progress,
    )
    clock.lap("candidates")
    pins = _index_pairs(pinned, space.mentee_index, space.mentor_index)

    def solve_again():
        return _solve(
            found.graph,
            objective=objective,
            seed=seed,
            progress=None,
            pinned=pins,
            outside_bound=found.outside_bound,
        )

    assignment, causes = solve_again()
    clock.lap("solve")

    if not found.dense and _repair(space, resolved, found, assignment, causes, top_k):
        assignment, causes = solve_again()
        clock.lap("repair")
    proof = None
    if not found.dense:
        assignment, causes, proof = _close_gap(
            space, resolved, found, (assignment, causes), solve_again, gap_target, pins, objective
        )
        clock.lap("bound")
    result = _result(space, resolved, found, assignment, causes, public)
    clock.lap("explain")
    seconds = {
        **clock.seconds,
        **{f"solve.{k}": v for k, v in (getattr(assignment, "phase_seconds", None) or {}).items()},
    }
    result.report = _report(
        objective,
        seed,
        found.graph,
        assignment,
        result,
        seconds,
        [p.identity for p in mentees],
        "all allowed pairs" if found.dense else f"top {top_k} per person",
        warnings,
        proof,
    )
    if public != CRITERIA:
        result.report.pop("bound", None)
        result.report.update(dict.fromkeys(SOLVER_FIGURES))
    return result


def _public_criteria(private: Iterable[str]) -> tuple[str, ...]:
    private = set(private)
    for name in private:
        if name not in CRITERIA:
            raise ValueError(UNKNOWN_PRIVATE.format(name=name))
    return tuple(name for name in CRITERIA if name not in private)


def public_scores(space: FeatureSpace, weights, public: Sequence[str], i, j) -> np.ndarray:
    """Pair scores over the ``public`` criteria alone (their weighted mean; 0 if they weigh 0).

    >>> space = FeatureSpace([Mentee(id="a", identity=("x",), prefer_shared_identity=True)],
    ...                      [Mentor(id="m", identity=("x",))])
    >>> public = [c for c in CRITERIA if c != "identity"]
    >>> w = resolve_weights()
    >>> float(public_scores(space, w, public, [0], [0])[0]) < float(
    ...     public_scores(space, w, CRITERIA, [0], [0])[0])
    True
    """
    chosen = {name: weights[name] for name in public}
    if not sum(chosen.values()):
        return np.zeros(np.broadcast_shapes(np.shape(i), np.shape(j)))
    return combine(pair_features(space, i, j, public), chosen)


def _close_gap(
    space, weights, found: CandidateSet, solved, solve_again, gap_target, pins, objective
):
    """Prove a bound over all pairs; for ``optimal``, while it leaves a gap, add the missed
    pairs and re-solve.

    Each round is one pass of the cheap bound over all pairs
    (:func:`~tandem.matching.candidates.proof.check_all_pairs`) with the optimal flow's mentor
    prices, then a solve on the grown graph.
    ``fair`` and ``stable`` get one pass, priced by the optimal assignment of their candidate
    graph: the bound on the best total over all pairs, against which their own total shows
    what fairness or stability costs. Pinned mentees and their seats are taken out first
    (their scores are fixed), so the prices are those of the problem the solver really
    solved. Returns the final assignment, its unmatched causes and a summary for the report.
    """
    (assignment, causes), added, rounds = solved, 0, 0
    pinned = np.array(sorted({i for i, _ in pins}), dtype=np.int64)
    while True:
        graph, mentor_of, pinned_total = _without_pins(found.graph, assignment.mentor_of, pins)
        if objective != "optimal":
            mentor_of = _solver().solve(graph, objective="optimal").mentor_of
        check = check_all_pairs(
            graph,
            mentor_prices(graph, mentor_of),
            cheap_block_loader(found, skip=pinned),
            lambda i, j: edge_scores(space, weights, i, j, workers=1),
            uncounted=found.cheap.uncounted(),
            counts=found.rules.counts(),
        )
        bound = min(pinned_total + check.upper_bound, assignment.upper_bound)
        gap = (bound - assignment.total_score) / max(abs(bound), 1e-12)
        done = gap <= gap_target or not len(check.missed) or rounds >= MAX_BOUND_ROUNDS
        if done or objective != "optimal":
            break
        added += add_pairs(space, weights, found, check.missed)
        assignment, causes = solve_again()
        rounds += 1
    proof = {
        "upper_bound": float(bound),
        "method": "lagrangian over all allowed pairs (mentor prices from the optimal flow)",
        "rounds": rounds,
        "added_pairs": added,
        "checked_pairs": check.checked,
        "missed_pairs_left": int(check.stats["missed_pairs"]),
        "matchable_at_most": check.matchable + len(pinned),
    }
    return assignment, causes, proof


def _without_pins(graph: CandidateGraph, mentor_of, pins):
    """The graph without the pinned mentees' edges and seats, the assignment on it, and the
    pinned pairs' total score."""
    mentor_of = np.asarray(mentor_of)
    if not pins:
        return graph, mentor_of, 0.0
    mentees, mentors = (np.array(side, dtype=np.int64) for side in zip(*pins, strict=True))
    keep = ~np.isin(graph.mentee, mentees)
    seats = graph.capacity - np.bincount(mentors, minlength=graph.n_mentors)
    rest = CandidateGraph.from_edges(
        graph.n_mentees,
        graph.n_mentors,
        graph.mentee[keep],
        graph.mentor[keep],
        graph.score[keep],
        np.maximum(seats, 0),
    )
    pinned_total = math.fsum(_scores(graph, mentor_of)[mentees].tolist())
    mentor_of = mentor_of.copy()
    mentor_of[mentees] = -1
    return rest, mentor_of, pinned_total


def _repair(space, weights, found, assignment, causes, top_k) -> int:
    """Second chance for mentees whose candidates all filled up (top-k mode only)."""
    mentor_of = np.asarray(assignment.mentor_of)
    waiting = np.flatnonzero(np.array([c == "all_compatible_full" for c in causes], dtype=bool))
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=found.graph.n_mentors)
    room = np.flatnonzero(load < found.graph.capacity)
    return repair(space, weights, found, waiting, room, top_k=top_k)


def _result(
    space, weights, found: CandidateSet, assignment, causes, public=CRITERIA
) -> MatchResult:
    mentor_of = np.asarray(assignment.mentor_of)
    matched = np.flatnonzero(mentor_of >= 0)
    if public == CRITERIA:
        score = _scores(found.graph, mentor_of)[matched]
    else:
        score = public_scores(space, weights, public, matched, mentor_of[matched])
    explained = explain_pairs(space, weights, matched, mentor_of[matched], public)
    result = MatchResult()
    for k, i in enumerate(matched):
        result.pairs.append(
            {
                "mentee_id": space.mentee.ids[i],
                "mentor_id": space.mentor.ids[mentor_of[i]],
                "score": round(float(score[k]), 6),
                "reasons": explained[k]["summary"],
                "criteria": explained[k]["criteria"],
            }
        )
    for i in np.flatnonzero(mentor_of < 0):
        reason = unmatched_reason(causes[i], found.removed[i], len(space.mentors))
        result.unmatched.append({"mentee_id": space.mentee.ids[i], "reason": reason})
    return result


def _scores(graph: CandidateGraph, mentor_of: np.ndarray) -> np.ndarray:
    """Score of each mentee's assigned edge (nan when unmatched)."""
    m = max(graph.n_mentors, 1)
    keys = graph.mentee.astype(np.int64) * m + graph.mentor
    order = np.argsort(keys, kind="stable")
    wanted = np.arange(len(mentor_of), dtype=np.int64) * m + np.maximum(mentor_of, 0)
    at = np.minimum(np.searchsorted(keys, wanted, sorter=order), max(len(keys) - 1, 0))
    found = (mentor_of >= 0) & (len(keys) > 0)
    if len(keys):
        found &= keys[order[at]] == wanted
        return np.where(found, graph.score[order[at]], np.nan)
    return np.full(len(mentor_of), np.nan)


def _report(
    objective,
    seed,
    graph,
    assignment,
    result,
    seconds,
    identities,
    candidates,
    warnings,
    proof=None,
) -> dict:
    score_of: list[float | None] = [None] * graph.n_mentees
    matched = np.flatnonzero(np.asarray(assignment.mentor_of) >= 0)
    for k, i in enumerate(matched):  # pairs are listed in mentee order
        score_of[i] = result.pairs[k]["score"]
    blocking = getattr(assignment, "blocking_pairs", None)
    if blocking is not None and not isinstance(blocking, int | np.integer):
        blocking = len(blocking)
    upper_bound = getattr(assignment, "upper_bound", None)
    if proof is not None:
        upper_bound = proof["upper_bound"]
    report = build_report(
        objective=objective,
        seed=seed,
        n_mentors=graph.n_mentors,
        score_of=score_of,
        unmatched_reasons=[u["reason"] for u in result.unmatched],
        identities=identities,
        n_edges=graph.n_edges,
        candidates=candidates,
        upper_bound=upper_bound,
        blocking_pairs=None if blocking is None else int(blocking),
        phase_seconds=seconds,
        warnings=warnings,
    )
    if proof is not None:
        report["bound"] = {k: v for k, v in proof.items() if k != "upper_bound"}
    return report


def match_score_table(
    table: ScoreTable,
    *,
    objective: str = "optimal",
    pinned: Iterable[tuple[str, str]] = (),
    seed: int = 0,
    warnings: Sequence[str] = (),
) -> MatchResult:
    """Match a precomputed score table (reasons say the score came from the table)."""
    if objective not in OBJECTIVES:
        raise ValueError(UNKNOWN_OBJECTIVE.format(value=objective))
    clock = _Clock()
    mentee_index = {x: k for k, x in enumerate(table.mentee_ids)}
    mentor_index = {x: k for k, x in enumerate(table.mentor_ids)}
    assignment, causes = _solve(
        table.graph,
        objective=objective,
        seed=seed,
        progress=None,
        pinned=_index_pairs(pinned, mentee_index, mentor_index),
        outside_bound=None,
    )
    clock.lap("solve")
    mentor_of = np.asarray(assignment.mentor_of)
    score = _scores(table.graph, mentor_of)
    result = MatchResult()
    for i, j in enumerate(mentor_of.tolist()):
        if j >= 0:
            result.pairs.append(
                {
                    "mentee_id": table.mentee_ids[i],
                    "mentor_id": table.mentor_ids[j],
                    "score": round(float(score[i]), 6),
                    "reasons": TABLE_REASON,
                    "criteria": {},
                }
            )
        else:
            reason = (
                UNMATCHED["no_mentors"] if not table.mentor_ids else unmatched_reason(causes[i])
            )
            result.unmatched.append({"mentee_id": table.mentee_ids[i], "reason": reason})
    seconds = {
        **clock.seconds,
        **{f"solve.{k}": v for k, v in (getattr(assignment, "phase_seconds", None) or {}).items()},
    }
    result.report = _report(
        objective, seed, table.graph, assignment, result, seconds, [], "score table", warnings
    )
    return result


def rank_mentors_for(
    mentee: Mentee,
    mentors: Sequence[Mentor],
    *,
    weights: Mapping[str, float] | None = None,
    reverse: bool = False,
    limit: int = 10,
    conflict_rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    embedder: Embedder | None = None,
) -> list[tuple[str, float, str]]:
    """The best ``limit`` allowed mentors for one mentee, best first (ties by id).

    Hard constraints apply: excluded, language-incompatible or full (capacity 0) mentors
    are never recommended.

    Returns
    -------
    list of (mentor id, score, reasons)

    Examples
    --------
    >>> mentors = [Mentor(id="viz", expertise="data visualisation and dashboards"),
    ...            Mentor(id="pm", expertise="user story mapping")]
    >>> ranked = rank_mentors_for(
    ...     Mentee(id="a", goals="my charts should tell a clear story to executives"), mentors)
    >>> [mentor_id for mentor_id, _, _ in ranked]
    ['viz', 'pm']
    """
    resolved = resolve_weights(weights)
    space = FeatureSpace([mentee], mentors, embedder=embedder, reverse=reverse)
    found = build_candidates(space, resolved, rules=check_rules(conflict_rules))
    graph = found.graph
    order = sorted(
        range(graph.n_edges), key=lambda e: (-graph.score[e], space.mentor.ids[graph.mentor[e]])
    )[:limit]
    chosen = graph.mentor[order]
    explained = explain_pairs(space, resolved, np.zeros(len(order), dtype=np.int64), chosen)
    return [
        (space.mentor.ids[j], round(float(graph.score[e]), 6), explained[k]["summary"])
        for k, (e, j) in enumerate(zip(order, chosen, strict=True))
    ]
