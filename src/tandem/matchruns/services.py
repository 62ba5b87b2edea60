"""Writes about match runs: start, execute (the task body), constrain, re-run, publish, discard."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, Repeated
from tandem.matchruns import engine
from tandem.matchruns.adapters import (
    Cohort,
    cohort_to_json,
    has_active_mentees,
    mentees_with_open_mentorship,
    mentor_loads,
    participants_for_program,
)
from tandem.matchruns.messages import (
    ALREADY_MATCHED,
    BAD_KIND,
    CONSTRAINT_NOT_FOUND,
    EMPTY_COHORT,
    EVERY_MENTEE_MATCHED,
    LEFT_PROGRAM,
    MENTOR_FULL,
    NOT_A_DRAFT,
    NOT_DISCARDABLE,
    NOT_FIXABLE,
    NOT_IN_RUN_MENTEE,
    NOT_IN_RUN_MENTOR,
    NOT_PUBLISHABLE,
    NOTHING_TO_PUBLISH,
    PAIR_LEFT_PROGRAM,
    PAIRS_INVALID,
    PIN_FULL,
    PIN_TAKEN,
    SAME_PAIR_FORBIDDEN,
    SAME_PAIR_PINNED,
    SAME_RUN_IN_PROGRESS,
)
from tandem.matchruns.models import (
    IN_PROGRESS,
    ConstraintKind,
    MatchConstraint,
    MatchPair,
    MatchRun,
    Objective,
    RunStatus,
)
from tandem.matchruns.review import OUT_OF_DATE, match_run_superseded_by, pin_refusal, run_name
from tandem.matchruns.selectors import access_match_run
from tandem.matchruns.tasks import match_run_task
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.selectors import ProgramAccess, access_program
from tandem.programs.services.waitlist import program_lock

logger = logging.getLogger(__name__)

MAX_SEED = 2**31 - 1
BAD_OBJECTIVE = "Choose one of: " + ", ".join(Objective.values) + "."
BAD_SEED = f"Use a whole number from 0 to {MAX_SEED}."


def _check_draft(run: MatchRun, message: str = NOT_A_DRAFT) -> None:
    if run.status != RunStatus.DONE:
        raise ApplicationError(message.format(status=run.get_status_display().lower()), status=409)


def _validate_options(objective: str, seed: int) -> None:
    fields = {}
    if objective not in Objective.values:
        fields["objective"] = BAD_OBJECTIVE
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        fields["seed"] = BAD_SEED
    if fields:
        raise ApplicationError(next(iter(fields.values())), fields=fields)


def _enqueue(run: MatchRun) -> None:
    transaction.on_commit(lambda: match_run_task.enqueue(run_id=run.pk))


class SameRunInProgress(Repeated):
    """A run of the program with the same objective, seed, parent, pins and forbids is queued
    or running: a second one would only repeat it (three quick clicks on Start made three).
    The page shows that run; the API answers 409."""

    def __init__(self, run: MatchRun):
        super().__init__(
            SAME_RUN_IN_PROGRESS.format(
                id=run.pk, objective=run.objective, seed=run.seed, status=run.status
            ),
            url=reverse("match_run_detail", args=[run.program.slug, run.pk]),
        )
        self.run = run


def match_run_start(
    *,
    user: User,
    program: Program,
    objective: str = Objective.OPTIMAL,
    seed: int = 0,
    parent: MatchRun | None = None,
) -> MatchRun:
    """Snapshot the cohort and queue the matching task; the run starts ``queued``."""
    access_program(user=user, program_id=program.pk, need=ProgramAccess.ADMIN)
    _validate_options(objective, seed)
    cohort = participants_for_program(program=program)
    if not cohort.mentees and has_active_mentees(program=program):
        raise ApplicationError(EVERY_MENTEE_MATCHED, status=409)
    for side, records in (("mentees", cohort.mentees), ("mentors", cohort.mentors)):
        if not records:
            raise ApplicationError(EMPTY_COHORT.format(side=side), status=409)
    with transaction.atomic():
        # Starts of one program take turns, so a double click finds the first click's run.
        program_lock(program_id=program.pk)
        carried = _carried_constraints(parent, cohort)
        wanted = {(c.mentee_id, c.mentor_id, c.kind) for c in carried}
        for same in MatchRun.objects.filter(
            program=program, objective=objective, seed=seed, parent=parent, status__in=IN_PROGRESS
        ).order_by("pk"):
            # A queued run's pins and forbids are those copied when it was made.
            if set(same.constraints.values_list("mentee_id", "mentor_id", "kind")) == wanted:
                raise SameRunInProgress(same)
        run = MatchRun.objects.create(
            program=program,
            objective=objective,
            seed=seed,
            parent=parent,
            created_by=user,
            inputs=cohort_to_json(cohort),
            status=RunStatus.QUEUED,
        )
        MatchConstraint.objects.bulk_create(
            [
                MatchConstraint(
                    run=run,
                    mentee_id=c.mentee_id,
                    mentor_id=c.mentor_id,
                    kind=c.kind,
                    created_by=c.created_by,
                )
                for c in carried
            ]
        )
        _enqueue(run)
    return run


def _carried_constraints(parent: MatchRun | None, cohort: Cohort) -> list[MatchConstraint]:
    """The parent's pins and forbids a re-run takes over: those of people still in the cohort
    (someone who left since cannot be constrained; the new snapshot lacks them)."""
    if parent is None:
        return []
    mentee_ids = {m.id for m in cohort.mentees}
    mentor_ids = {m.id for m in cohort.mentors}
    return [
        c
        for c in parent.constraints.all()
        if str(c.mentee_id) in mentee_ids and str(c.mentor_id) in mentor_ids
    ]


def match_run_rerun(
    *,
    user: User,
    run: MatchRun,
    objective: str | None = None,
    seed: int | None = None,
    remove: Collection[int] = (),
    remove_all: bool = False,
) -> MatchRun:
    """A what-if: a new run of the current cohort carrying over this run's pins and forbids,
    less those in ``remove`` (or all of them), which are removed from this run first: the
    way out of a run that failed on a pin."""
    run = access_match_run(user=user, run_id=run.pk)
    if run.status == RunStatus.DISCARDED:
        raise ApplicationError(NOT_A_DRAFT.format(status="discarded"), status=409)
    with transaction.atomic():
        if remove or remove_all:
            _remove_constraints(user=user, run=run, ids=None if remove_all else set(remove))
        return match_run_start(
            user=user,
            program=run.program,
            parent=run,
            objective=run.objective if objective is None else objective,
            seed=run.seed if seed is None else seed,
        )


def _snapshot_ids(run: MatchRun, side: str) -> set[str]:
    return {record["id"] for record in run.inputs.get(side, ())}


def _check_people(run: MatchRun, *, mentee_id: int, mentor_id: int, kind: str) -> None:
    """Field errors for a decision about people who are not (or no longer) in the cohort."""
    fields = {}
    if kind not in ConstraintKind.values:
        fields["kind"] = BAD_KIND
    if str(mentee_id) not in _snapshot_ids(run, "mentees"):
        fields["mentee_id"] = NOT_IN_RUN_MENTEE
    if str(mentor_id) not in _snapshot_ids(run, "mentors"):
        fields["mentor_id"] = NOT_IN_RUN_MENTOR
    if not fields:
        active = set(
            Enrolment.objects.filter(program_id=run.program_id, status=EnrolmentStatus.ACTIVE)
            .filter(
                Q(person_id=mentee_id, role=Role.MENTEE) | Q(person_id=mentor_id, role=Role.MENTOR)
            )
            .values_list("role", flat=True)
        )
        for field, person_id, role, side in (
            ("mentee_id", mentee_id, Role.MENTEE, "mentees"),
            ("mentor_id", mentor_id, Role.MENTOR, "mentors"),
        ):
            if role not in active:
                name = run_name(run, side, person_id)
                fields[field] = LEFT_PROGRAM.format(name=name, role=role.label.lower())
    if fields:
        raise ApplicationError(next(iter(fields.values())), fields=fields)


def match_run_constrain(
    *, user: User, run: MatchRun, mentee_id: int, mentor_id: int, kind: str
) -> MatchConstraint:
    """Pin or forbid one pair on a draft run. Refused at once, in names, when the pin breaks
    a hard rule of the program or the decision contradicts one already made; the same
    decision made twice is kept once."""
    run = access_match_run(user=user, run_id=run.pk)
    _check_draft(run)
    _check_people(run, mentee_id=mentee_id, mentor_id=mentor_id, kind=kind)
    mentee, mentor = run_name(run, "mentees", mentee_id), run_name(run, "mentors", mentor_id)
    refusal = pin_refusal(run.inputs, mentee_id=mentee_id, mentor_id=mentor_id)
    if refusal and (kind == ConstraintKind.PIN or mentee_id == mentor_id):
        raise ApplicationError(refusal, fields={"mentor_id": refusal})
    with transaction.atomic():
        locked = access_match_run(user=user, run_id=run.pk, for_update=True)
        _check_draft(locked)
        same = MatchConstraint.objects.filter(run=run, mentee_id=mentee_id, mentor_id=mentor_id)
        earlier = same.first()
        if earlier is not None and earlier.kind == kind:
            return earlier
        if earlier is not None:
            template = (
                SAME_PAIR_PINNED if earlier.kind == ConstraintKind.PIN else SAME_PAIR_FORBIDDEN
            )
            message = template.format(mentee=mentee, mentor=mentor)
            raise ApplicationError(message, fields={"kind": message}, status=409)
        if kind == ConstraintKind.PIN:
            pins = MatchConstraint.objects.filter(run=run, kind=ConstraintKind.PIN)
            _check_pin(run, pins, mentee_id=mentee_id, mentor_id=mentor_id, mentee=mentee)
        return MatchConstraint.objects.create(
            run=run, mentee_id=mentee_id, mentor_id=mentor_id, kind=kind, created_by=user
        )


def _check_pin(
    run: MatchRun, pins: QuerySet[MatchConstraint], *, mentee_id: int, mentor_id: int, mentee: str
) -> None:
    """One pin per mentee, and no more pins on a mentor than their free places."""
    taken = pins.filter(mentee_id=mentee_id).first()
    if taken is not None:
        message = PIN_TAKEN.format(mentee=mentee, mentor=run_name(run, "mentors", taken.mentor_id))
        raise ApplicationError(message, fields={"mentee_id": message}, status=409)
    record = next(r for r in run.inputs["mentors"] if r["id"] == str(mentor_id))
    if pins.filter(mentor_id=mentor_id).count() >= record.get("capacity", 0):
        message = PIN_FULL.format(mentor=record.get("name"), capacity=record.get("capacity", 0))
        raise ApplicationError(message, fields={"mentor_id": message}, status=409)


def _remove_constraints(*, user: User, run: MatchRun, ids: set[int] | None) -> None:
    """Remove the pins and forbids ``ids`` (None: all) of a draft or failed run."""
    locked = access_match_run(user=user, run_id=run.pk, for_update=True)
    if locked.status not in (RunStatus.DONE, RunStatus.FAILED):
        status = locked.get_status_display().lower()
        raise ApplicationError(NOT_FIXABLE.format(status=status), status=409)
    found = MatchConstraint.objects.filter(run=locked)
    if ids is not None:
        found = found.filter(pk__in=ids)
        if found.count() != len(ids):
            raise NotFound(CONSTRAINT_NOT_FOUND)
    found.delete()


def match_run_unconstrain(*, user: User, run: MatchRun, constraint_id: int) -> None:
    """Remove one pin or forbid of a draft (or of a failed run, to re-run without it)."""
    with transaction.atomic():
        _remove_constraints(user=user, run=run, ids={constraint_id})


def match_run_discard(*, user: User, run: MatchRun) -> MatchRun:
    """Drop a draft (or a queued, running or failed run); its pairs stay for comparison."""
    with transaction.atomic():
        locked = access_match_run(user=user, run_id=run.pk, for_update=True)
        if locked.status == RunStatus.PUBLISHED:
            raise ApplicationError(NOT_DISCARDABLE, status=409)
        locked.status = RunStatus.DISCARDED
        locked.finished_at = locked.finished_at or timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    return locked


def _publish_problems(run: MatchRun, pairs: list[MatchPair]) -> list[str]:
    """Every reason a pair can no longer be created, with the person it concerns."""
    program = run.program
    people = {p.mentee_id for p in pairs} | {p.mentor_id for p in pairs}
    enrolments = {
        (e.person_id, e.role): e
        for e in Enrolment.objects.select_for_update()
        .filter(
            program=program,
            person_id__in=people,
            role__in=(Role.MENTEE, Role.MENTOR),
            status=EnrolmentStatus.ACTIVE,
        )
        .order_by("pk")  # one stable locking order (the default one joins the users)
    }
    names = {p.mentee_id: p.mentee.display_name for p in pairs}
    names.update({p.mentor_id: p.mentor.display_name for p in pairs})
    loads = mentor_loads(program=program, mentor_ids={p.mentor_id for p in pairs})
    matched = mentees_with_open_mentorship(program=program)
    wanted = Counter(p.mentor_id for p in pairs)
    problems: list[str] = []
    partners: dict[int, list[str]] = {}
    for p in pairs:
        partners.setdefault(p.mentee_id, []).append(names[p.mentor_id])
        partners.setdefault(p.mentor_id, []).append(names[p.mentee_id])

    def left(person_id: int, role: str) -> str:
        together = ", ".join(sorted(partners[person_id]))
        return PAIR_LEFT_PROGRAM.format(name=names[person_id], partners=together, role=role)

    for mentee_id in sorted({p.mentee_id for p in pairs}, key=names.__getitem__):
        if (mentee_id, Role.MENTEE) not in enrolments:
            problems.append(left(mentee_id, "mentee"))
        elif mentee_id in matched:
            problems.append(ALREADY_MATCHED.format(name=names[mentee_id]))
    for mentor_id in sorted(wanted, key=names.__getitem__):
        enrolment = enrolments.get((mentor_id, Role.MENTOR))
        if enrolment is None:
            problems.append(left(mentor_id, "mentor"))
            continue
        limit = enrolment.capacity if enrolment.capacity is not None else program.default_capacity
        if loads.get(mentor_id, 0) + wanted[mentor_id] > limit:
            problems.append(
                MENTOR_FULL.format(
                    name=names[mentor_id],
                    taken=loads.get(mentor_id, 0),
                    limit=limit,
                    wanted=wanted[mentor_id],
                )
            )
    return problems


def match_run_publish(*, user: User, run: MatchRun) -> MatchRun:
    """Create every proposed mentorship of the run, or none, and mark the run published.

    Refused when another run was published after this one was made (its snapshot predates
    those mentorships). The program row is locked first, so of two publishes at once the
    second waits and then finds itself out of date.
    """
    with transaction.atomic():
        access_program(
            user=user, program_id=run.program_id, need=ProgramAccess.ADMIN, for_update=True
        )
        locked = access_match_run(user=user, run_id=run.pk, for_update=True)
        _check_draft(locked, NOT_PUBLISHABLE)
        newer = match_run_superseded_by(run=locked)
        if newer is not None:
            raise ApplicationError(OUT_OF_DATE.format(other=newer.pk), status=409)
        pairs = list(locked.pairs.select_related("mentee", "mentor").order_by("pk"))
        if not pairs:
            raise ApplicationError(NOTHING_TO_PUBLISH, status=409)
        problems = _publish_problems(locked, pairs)
        if problems:
            raise ApplicationError(PAIRS_INVALID, fields={"pairs": " ".join(problems)}, status=409)
        engine.create_mentorships(run=locked, pairs=pairs, user=user)
        locked.status = RunStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.save(update_fields=["status", "published_at", "published_by"])
    return locked
