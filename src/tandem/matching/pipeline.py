"""The Python API the Django side calls: records in, pairs with reasons and a report out.

:func:`match_participants` runs a cohort match; :func:`rank_mentors_for` recommends mentors
to one mentee (self-serve programs); :func:`match_score_table` matches a precomputed table.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

import numpy as np

from tandem.matching.candidates.blocks import one_blas_thread
from tandem.matching.candidates.generate import DEFAULT_TOP_K, DENSE_LIMIT, generate_candidates
from tandem.matching.candidates.refill import waiting_beside_room
from tandem.matching.candidates.rules import UNKNOWN_PAIR_ID
from tandem.matching.cohort import CohortMatch, solve_graph
from tandem.matching.explain import Reason
from tandem.matching.features import (
    CRITERIA,
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
    check_rules,
    resolve_weights,
)
from tandem.matching.io import collector_paused
from tandem.matching.profiles import REFERENCE_WEEK, Mentee, Mentor
from tandem.matching.ranking import rank_space
from tandem.matching.result import (
    SOLVER_FIGURES,
    MatchResult,
    cohort_result,
    match_report,
    table_result,
)
from tandem.matching.scoretable import ScoreTable
from tandem.matching.text import Embedder

OBJECTIVES = ("optimal", "fair", "stable")
UNKNOWN_OBJECTIVE = "objective must be one of optimal, fair, stable (got {value!r})"
DUPLICATE_PARTICIPANT = "duplicate {side} id {value!r}"
UNKNOWN_PRIVATE = "unknown private criterion {name!r}: choose from " + ", ".join(CRITERIA)
PIN_MENTEE_TWICE = "mentee {mentee!r} is pinned to more than one mentor ({mentors}); keep one pin"
PIN_OVER_CAPACITY = (
    "mentor {mentor!r} has {pins} pinned mentees but room for {capacity}; raise the capacity "
    "or remove pins"
)
SHORT_CANDIDATES = (
    "{count} unmatched mentees have an allowed mentor with room outside their top {top_k} "
    "candidates, so more could be matched over all pairs: raise top_k (--top-k)"
)
GAP_TARGET = 1e-3  # top-k mode: add missed pairs until the proven relative gap is this small


class _Clock:
    """Wall and CPU seconds per phase: on a shared machine the wall time of a phase that
    runs on every core says little without the CPU time it took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._last, self._last_cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu


def _check_ids(people: Sequence, side: str) -> None:
    seen: set[str] = set()
    for person in people:
        if person.id in seen:
            raise ValueError(DUPLICATE_PARTICIPANT.format(side=side, value=person.id))
        seen.add(person.id)


def _index_pairs(
    pairs: Iterable[tuple[str, str]],
    mentee_index: Mapping[str, int],
    mentor_index: Mapping[str, int],
    capacity: Sequence[int] | np.ndarray,
) -> list[tuple[int, int]]:
    """Pins by index, checked by id: a mentee pinned to two mentors or a mentor pinned past
    its capacity is refused here, naming the ids given, where the solver would name indices
    (`tandem match` printed "Mentor 0 has 5 pinned mentees"; families check). The same pin
    given twice counts once."""
    mentor_of: dict[str, str] = {}
    load: Counter[str] = Counter()
    for mentee, mentor in pairs:
        for index, person in ((mentee_index, mentee), (mentor_index, mentor)):
            if person not in index:
                raise ValueError(
                    UNKNOWN_PAIR_ID.format(kind="pin", pair=(mentee, mentor), id=person)
                )
        if mentee in mentor_of:
            if mentor_of[mentee] != mentor:
                both = f"{mentor_of[mentee]}, {mentor}"
                raise ValueError(PIN_MENTEE_TWICE.format(mentee=mentee, mentors=both))
            continue
        mentor_of[mentee] = mentor
        load[mentor] += 1
        room = int(capacity[mentor_index[mentor]])
        if load[mentor] > room:
            raise ValueError(
                PIN_OVER_CAPACITY.format(mentor=mentor, pins=load[mentor], capacity=room)
            )
    return [(mentee_index[i], mentor_index[j]) for i, j in mentor_of.items()]


@one_blas_thread
@collector_paused()
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
    week: date = REFERENCE_WEEK,
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
    week : date
        A day of the week the program runs: local availability becomes UTC with that week's
        offsets, so people whose clocks change on different dates overlap as they will
        then. Defaults to :data:`~tandem.matching.profiles.REFERENCE_WEEK`.

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
    prices and adds the pairs the candidates missed (report: ``upper_bound``, ``gap``,
    ``bound``); ``fair`` and ``stable`` get the same bound on the best total, without adding.
    The cyclic garbage collector is paused for the run
    (:func:`~tandem.matching.io.collector_paused`).

    Examples
    --------
    >>> result = match_participants(
    ...     [Mentee(id="a", goals="speed up slow SQL queries", cadence="weekly"),
    ...      Mentee(id="b", goals="present to the board", languages=("de",))],
    ...     [Mentor(id="m", expertise="database performance", cadence="weekly",
    ...             languages=("en",))])
    >>> [(p["mentee_id"], p["mentor_id"]) for p in result.pairs]
    [('a', 'm')]
    >>> for reason in result.pairs[0]["reasons"]:
    ...     print(reason.kind, "|", reason.text)
    strength | Goals and expertise meet in databases and SQL, performance optimisation
    strength | Both want to meet weekly
    >>> [(u["mentee_id"], u["reason"].criterion, u["reason"].text) for u in result.unmatched]
    [('b', 'language', 'no mentor shares a language')]
    """
    if objective not in OBJECTIVES:
        raise ValueError(UNKNOWN_OBJECTIVE.format(value=objective))
    public = _public_criteria(private_criteria)
    _check_ids(mentees, "mentee")
    _check_ids(mentors, "mentor")
    resolved, rules = resolve_weights(weights), check_rules(conflict_rules)
    pinned, clock = list(pinned), _Clock()
    space = FeatureSpace(mentees, mentors, embedder=embedder, reverse=reverse, week=week)
    clock.lap("embed")
    found = generate_candidates(
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
    pins = _index_pairs(pinned, space.mentee_index, space.mentor_index, found.graph.capacity)
    run = CohortMatch(space, resolved, found, objective=objective, seed=seed, pins=pins)
    run.solve()
    clock.lap("solve")
    if not found.dense:  # top-k candidates may have missed pairs the best answer needs
        if run.refill(top_k):
            clock.lap("refill")
        run.close_gap(gap_target)
        clock.lap("bound")
        short = waiting_beside_room(found, run.assignment.mentor_of, run.causes)
        if short:
            warnings = [*warnings, SHORT_CANDIDATES.format(count=short, top_k=top_k)]
    assignment, causes, proof = run.assignment, run.causes, run.proof
    result = cohort_result(space, resolved, found.graph, found.removed, assignment, causes, public)
    clock.lap("explain")
    result.report = match_report(
        objective,
        seed,
        found.graph,
        assignment,
        result,
        clock.seconds,
        [p.identity for p in mentees],
        "all allowed pairs" if found.dense else f"top {top_k} per person",
        warnings,
        proof,
    )
    result.report["phase_cpu_seconds"] = {k: round(v, 4) for k, v in clock.cpu.items()}
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
    assignment, causes = solve_graph(
        table.graph,
        objective=objective,
        seed=seed,
        pinned=_index_pairs(pinned, mentee_index, mentor_index, table.graph.capacity),
        outside_bound=None,
    )
    clock.lap("solve")
    result = table_result(table, assignment, causes)
    result.report = match_report(
        objective, seed, table.graph, assignment, result, clock.seconds, [], "score table", warnings
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
    week: date = REFERENCE_WEEK,
) -> list[tuple[str, float, tuple[Reason, ...]]]:
    """The best ``limit`` allowed mentors for one mentee, best first (ties by id).

    Hard constraints apply: excluded, language-incompatible or full (capacity 0) mentors
    are never recommended. ``week`` is as for :func:`match_participants`.

    Returns
    -------
    list of (mentor id, score, reasons)
        ``reasons``: a tuple of :class:`~tandem.matching.explain.Reason`, strongest first.

    Examples
    --------
    >>> mentors = [Mentor(id="viz", expertise="data visualisation and dashboards"),
    ...            Mentor(id="pm", expertise="user story mapping")]
    >>> ranked = rank_mentors_for(
    ...     Mentee(id="a", goals="my charts should tell a clear story to executives"), mentors)
    >>> [mentor_id for mentor_id, _, _ in ranked]
    ['viz', 'pm']
    """
    space = FeatureSpace([mentee], mentors, embedder=embedder, reverse=reverse, week=week)
    ranking = rank_space(space, weights=weights, limit=limit, conflict_rules=conflict_rules)
    reasons = ranking.explain(range(len(ranking.mentor_ids)))
    return list(zip(ranking.mentor_ids, ranking.scores, reasons, strict=True))
