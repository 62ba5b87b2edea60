"""Solving a queued run: the body of the background task, below the services that queue it."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.matchruns import engine
from tandem.matchruns.adapters import Cohort, cohort_from_json, kept_embedder
from tandem.matchruns.models import ConstraintKind, MatchPair, MatchRun, MatchUnmatched, RunStatus
from tandem.matchruns.review import pin_problems
from tandem.mentorships.selectors import ended_early_pairs
from tandem.notify.kinds import Kind
from tandem.programs.notices import program_admins_notify

logger = logging.getLogger(__name__)

RUN_FAILED = "The matching engine could not finish: {error}"
PINS_BROKEN = "This run cannot keep its pins: {problems} Remove the pins named here, then re-run."


class PinsBroken(Exception):
    """Pins the cohort of this run no longer allows (someone changed, a mentor filled up):
    the run fails with why, in names, before any solving."""


def _set_progress(run_id: int, **values) -> None:
    MatchRun.objects.filter(pk=run_id).update(**values)


def _progress_writer(run_id: int):
    """Map the core's 0-100 over scoring onto 20-80 of the run, writing every 10 points."""
    last = [20]

    def write(percent: int) -> None:
        value = 20 + 60 * percent // 100
        if value - last[0] >= 10:
            last[0] = value
            _set_progress(run_id, progress=value)

    return write


def _ended_early_forbids(
    program_id: int, cohort: Cohort, *, pins: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Pairs whose mentorship in the program ended early, either way round, are not matched
    again, unless the admin pinned that pair on purpose."""
    mentee_ids = {m.id for m in cohort.mentees}
    mentor_ids = {m.id for m in cohort.mentors}
    pairs = {
        pair
        for a, b in ended_early_pairs(program_id=program_id)
        for pair in ((str(a), str(b)), (str(b), str(a)))
    }
    return sorted(
        (mentee, mentor)
        for mentee, mentor in pairs
        if mentee in mentee_ids and mentor in mentor_ids and (mentee, mentor) not in pins
    )


def match_run_execute(*, run_id: int) -> MatchRun:
    """The task body: solve the run's snapshot with its constraints and store the result.

    Progress and status are written in their own small transactions so a polling page sees
    them; the result is stored all at once.
    """
    # Claim the run with one conditional UPDATE, so two workers can never both solve it.
    claimed = MatchRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=5, started_at=timezone.now()
    )
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    if not claimed:  # discarded before a worker got to it, or already executed
        return run
    try:
        # No identity: the snapshot holds none and nothing adds it (engine.PRIVATE).
        cohort = cohort_from_json(run.inputs)
        constraints = list(run.constraints.all())
        pinned = [
            (str(c.mentee_id), str(c.mentor_id))
            for c in constraints
            if c.kind == ConstraintKind.PIN
        ]
        forbidden = [
            (str(c.mentee_id), str(c.mentor_id))
            for c in constraints
            if c.kind == ConstraintKind.FORBID
        ]
        forbidden += _ended_early_forbids(run.program_id, cohort, pins=set(pinned))
        broken = pin_problems(run.inputs, [(int(a), int(b)) for a, b in pinned])
        if broken:
            raise PinsBroken(PINS_BROKEN.format(problems=" ".join(broken.values())))
        _set_progress(run.pk, progress=20)
        outcome = engine.solve(
            cohort,
            objective=run.objective,
            seed=run.seed,
            pinned=pinned,
            forbidden=forbidden,
            progress=_progress_writer(run.pk),
            embedder=kept_embedder(mentees=cohort.mentees, mentors=cohort.mentors),
        )
        _set_progress(run.pk, progress=85)
        pins = set(pinned)
        with transaction.atomic():
            MatchPair.objects.bulk_create(
                [
                    MatchPair(
                        run=run,
                        mentee_id=int(p.mentee_id),
                        mentor_id=int(p.mentor_id),
                        score=p.score,
                        reasons=p.reasons,
                        pinned=(p.mentee_id, p.mentor_id) in pins,
                    )
                    for p in outcome.pairs
                ]
            )
            MatchUnmatched.objects.bulk_create(
                [
                    MatchUnmatched(
                        run=run, person_id=int(u.person_id), side=u.side, reasons=u.reasons
                    )
                    for u in outcome.unmatched
                ]
            )
            updated = MatchRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.DONE,
                progress=100,
                report=outcome.report,
                finished_at=timezone.now(),
            )
            if not updated:  # discarded while running: keep nothing
                transaction.set_rollback(True)
            else:
                _tell_admins(
                    run, failed=False, pairs=len(outcome.pairs), unmatched=len(outcome.unmatched)
                )
    except Exception as error:  # the run records why it failed; the worker stays healthy
        logger.exception("match run %s failed", run.pk)
        with transaction.atomic():
            failed = MatchRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED,
                error=str(error)
                if isinstance(error, PinsBroken)
                else RUN_FAILED.format(error=error),
                finished_at=timezone.now(),
            )
            if failed:  # a run discarded meanwhile stays discarded, and nobody is told
                _tell_admins(run, failed=True)
    return MatchRun.objects.get(pk=run.pk)


def _tell_admins(run: MatchRun, *, failed: bool, pairs: int = 0, unmatched: int = 0) -> None:
    """Every admin of the run's program, inside the transaction that records how it ended."""
    program = run.program
    if failed:
        title = f"Match run #{run.pk} in {program.name} failed"
        body = "Open the run to see why; you can change its pins or forbids and run it again."
    else:
        title = f"Match run #{run.pk} in {program.name} is ready for review"
        body = (
            f"It proposes {pairs} pair{'s' if pairs != 1 else ''} and leaves {unmatched} "
            f"{'person' if unmatched == 1 else 'people'} unmatched. Review it, then publish it."
        )
    program_admins_notify(
        program=program,
        kind=Kind.MATCH_RUN,
        title=title,
        body=body,
        url=reverse("match_run_detail", args=[program.slug, run.pk]),
    )
