"""How long people wait for their first mentorship, and who is still waiting and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, CharField, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Greatest

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.funnel.days import (
    DaysBetween,
    column_counts,
    days_in,
    in_buckets,
    median_of,
)
from tandem.insights.selectors.funnel.steps import (
    ROLES,
    SIDE,
    cohort,
    flag,
    person_steps,
    profile_complete,
)
from tandem.insights.selectors.matching.quality import ReasonText
from tandem.insights.tables import Cell, Chart, Column, ColumnKind, InsightTable
from tandem.matching.explain import UNMATCHED
from tandem.matchruns.models import MatchUnmatched, RunStatus
from tandem.mentorships.models import MentorshipRequest, RequestState
from tandem.programs.models import EnrolmentStatus, Role

# (first whole day, label): the distribution's buckets.
WAITS = (
    (0, "Under 1 week"),
    (7, "1 to 2 weeks"),
    (14, "2 to 4 weeks"),
    (28, "4 to 8 weeks"),
    (56, "8 to 13 weeks"),
    (91, "13 weeks or more"),
)
NOT_MATCHED = "Not matched yet"
PLURAL = {Role.MENTEE: "Mentees", Role.MENTOR: "Mentors"}

# Why someone who joined has no mentorship, tested in this order (the first that holds).
WHY = (
    ("pending", "Awaiting approval"),
    ("waitlisted", "On the waitlist"),
    ("paused", "Enrolment paused"),
    ("removed", "Removed from the program"),
    ("left", "Left the program"),
    ("request", "Request awaiting an answer"),
    ("run", "Left unmatched by a run"),
    ("profile", "Profile incomplete"),
    ("waiting", "Waiting for a run or a request"),
)
UNRECORDED = "Reason not recorded"
# Per role, per column of waiting_counts: how many people hold each value.
Counts = dict[str, dict[str, dict[Any, int]]]


def waiting_counts(scope: InsightScope, now: datetime) -> Counts:
    """Per role, one query: the people who joined in the quarters counted by whole days from
    joining to their first mentorship (NULL: none yet), and by why they have none (the
    index in ``WHY``; -1 for those matched)."""
    counts: Counts = {}
    for role in ROLES:
        people = (
            person_steps(cohort(scope, role), role, now=now, steps=("matched",))
            .annotate(**_facts(role))
            .annotate(wait=DaysBetween(F("matched_at"), F("created_at")), why=_why())
        )
        counts[role] = column_counts(people, ["wait", "why"])
    return counts


def time_to_match_tables(counts: Counts) -> list[InsightTable]:
    joined: dict[str, int] = {role: sum(counts[role]["wait"].values()) for role in ROLES}
    waits: dict[str, dict[int, int]] = {role: days_in(counts[role]["wait"]) for role in ROLES}
    return [_summary(joined, waits), _distribution(joined, waits)]


def _summary(joined: dict[str, int], waits: dict[str, dict[int, int]]) -> InsightTable:
    rows: list[dict[str, Cell]] = []
    for role in ROLES:
        people, days = joined.get(role, 0), waits.get(role, {})
        matched = sum(days.values())
        rows.append(
            {
                "role": PLURAL[role],
                "joined": people,
                "matched": matched,
                "share_matched": matched / people if people else None,
                "median_days": median_of(days),
                "waiting": people - matched,
            }
        )
    return InsightTable(
        key="time_to_match",
        title="Time to match",
        summary=(
            "People who joined in the chosen quarters, how many have had a mentorship in the "
            "program, and the median whole days from joining to the first one (read from "
            "counts per day: the middle person's day, or the mean of the two middle days)."
        ),
        columns=[
            Column("role", "Role", ColumnKind.TEXT),
            Column("joined", "Joined"),
            Column("matched", "Matched"),
            Column("share_matched", "Share matched", ColumnKind.RATE),
            Column("median_days", "Median days to the first match", ColumnKind.DAYS),
            Column("waiting", "Not matched yet"),
        ],
        rows=rows,
        notes=[] if any(joined.values()) else [NOBODY],
    )


NOBODY = "Nobody joined in the chosen quarters: there is no wait to measure."


def _distribution(joined: dict[str, int], waits: dict[str, dict[int, int]]) -> InsightTable:
    per_role = {
        role: in_buckets(waits.get(role, {}), (start for start, _ in WAITS)) for role in ROLES
    }
    rows: list[dict[str, Cell]] = []
    for index, (_, label) in enumerate([*WAITS, (None, NOT_MATCHED)]):
        row: dict[str, Cell] = {"wait": label}
        for role in ROLES:
            people = joined.get(role, 0)
            n = per_role[role][index] if index < len(WAITS) else people - sum(per_role[role])
            row[role] = n
            row[f"{role}_share"] = n / people if people else None
        rows.append(row)
    return InsightTable(
        key="time_to_match_distribution",
        title="Time to match, in weeks",
        summary=(
            "The people who joined in the chosen quarters by the whole days from joining to "
            "their first mentorship (under 1 week is days 0 to 6), and those not matched yet; "
            "shares are of everyone in the role who joined."
        ),
        columns=[
            Column("wait", "Wait", ColumnKind.TEXT),
            Column("mentee", "Mentees"),
            Column("mentee_share", "Share of mentees", ColumnKind.RATE),
            Column("mentor", "Mentors"),
            Column("mentor_share", "Share of mentors", ColumnKind.RATE),
        ],
        rows=rows,
        chart=Chart("bar", x="wait", series=("mentee", "mentor"), y_label="People"),
        notes=[] if any(joined.values()) else [NOBODY],
    )


def unmatched_tables(scope: InsightScope, counts: Counts) -> list[InsightTable]:
    return [_left_by_runs(scope), _without_mentorship(counts)]


def _left_by_runs(scope: InsightScope) -> InsightTable:
    """One row per program, person and reason (a person counts once per reason in each
    program), with whether the person has a mentorship in that program today (reached through
    the person: the index on mentee_id and mentor_id), then counted per reason."""
    here = {
        side: Q(**{f"person__mentorships_as_{side}__program": F("run__program")})
        for side in ("mentee", "mentor")
    }
    has = Greatest(
        *[
            Max(Case(When(condition, then=Value(1)), default=Value(0)))
            for condition in here.values()
        ]
    )
    left = (
        MatchUnmatched.objects.filter(
            scope.within("run__published_at"),
            run__program_id__in=scope.program_ids,
            run__status=RunStatus.PUBLISHED,
        )
        .values(
            "run__program",
            "person",
            cause=Coalesce(ReasonText("reasons", 0, "criterion"), Value("")),
        )
        .annotate(matched=has)
        .annotate(
            still=Case(When(matched=0, then=F("cause")), default=None, output_field=CharField()),
        )
    )
    counts = column_counts(left, ["cause", "still"])
    rows: list[dict[str, Cell]] = [
        {
            "reason": _unmatched_label(cause),
            "people": n,
            "still_waiting": counts["still"].get(cause, 0),
        }
        for cause, n in counts["cause"].items()
    ]
    rows.sort(key=lambda row: (-int(row["people"] or 0), str(row["reason"])))
    return InsightTable(
        key="left_unmatched_by_runs",
        title="Left unmatched by match runs",
        summary=(
            "People a match run published in the chosen quarters left without a partner, by "
            "the reason the run gave (a person left out by two runs for different reasons "
            "counts under each), and how many of them still have no mentorship in the program."
        ),
        columns=[
            Column("reason", "Reason", ColumnKind.TEXT),
            Column("people", "People left unmatched"),
            Column("still_waiting", "Still without a mentorship"),
        ],
        rows=rows,
        chart=Chart("hbar", x="reason", series=("people",), y_label="People"),
        notes=[] if rows else ["No published match run left anyone unmatched in these quarters."],
    )


def _unmatched_label(cause: str | None) -> str:
    text = UNMATCHED.get(cause or "")
    return text[0].upper() + text[1:] if text else UNRECORDED


def _without_mentorship(counts: Counts) -> InsightTable:
    rows: list[dict[str, Cell]] = [
        {"reason": label, **{role: counts[role]["why"].get(index, 0) for role in ROLES}}
        for index, (_, label) in enumerate(WHY)
    ]
    return InsightTable(
        key="without_mentorship",
        title="Without a mentorship, and why",
        summary=(
            "People who joined in the chosen quarters and have never had a mentorship in the "
            "program, by the first of these that holds for them, in this order."
        ),
        columns=[
            Column("reason", "Why", ColumnKind.TEXT),
            Column(Role.MENTEE, "Mentees"),
            Column(Role.MENTOR, "Mentors"),
        ],
        rows=rows,
        chart=Chart("hbar", x="reason", series=(Role.MENTEE, Role.MENTOR), y_label="People"),
        notes=[
            "A match run records the people it leaves unmatched on the mentee side only; "
            "mentors it leaves without a mentee count as waiting."
        ],
    )


def _facts(role: str) -> dict[str, Max]:
    """What :func:`_why` reads besides the enrolment's status, each a 0/1 aggregate (so the
    database computes it once per person and does not group by it)."""
    side = SIDE[Role(role)]
    request = MentorshipRequest.objects.filter(
        program=OuterRef("program"), state=RequestState.PENDING, **{side: OuterRef("person")}
    )
    left = MatchUnmatched.objects.filter(
        run__program=OuterRef("program"),
        run__status=RunStatus.PUBLISHED,
        person=OuterRef("person"),
    )
    return {
        "request_open": Max(flag(Exists(request))),
        "left_by_run": Max(flag(Exists(left))),
        "profile_done": Max(flag(profile_complete())),
    }


def _why() -> Case:
    """The index in ``WHY`` of the first reason that holds for a person without a mentorship
    in the program; -1 for a person with one (over :func:`person_steps`' ``matched_at`` and
    :func:`_facts`)."""
    holds = {
        "pending": Q(status=EnrolmentStatus.PENDING),
        "waitlisted": Q(status=EnrolmentStatus.WAITLISTED),
        "paused": Q(status=EnrolmentStatus.PAUSED),
        "removed": Q(status=EnrolmentStatus.REMOVED),
        "left": Q(status=EnrolmentStatus.LEFT),
        "request": Q(request_open=1),
        "run": Q(left_by_run=1),
        "profile": Q(profile_done=0),
    }
    return Case(
        When(matched_at__isnull=False, then=Value(-1)),
        *[
            When(holds[key], then=Value(index))
            for index, (key, _) in enumerate(WHY)
            if key in holds
        ],
        default=Value(len(WHY) - 1),
    )
