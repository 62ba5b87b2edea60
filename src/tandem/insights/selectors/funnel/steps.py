"""Each participant's steps through a program, as SQL expressions on their enrolment.

A step's time is the earliest time any of the person's mentorships in that program reached it
(a person re-matched after an early end reaches "matched" once, at the first match). Profile
completeness has no time: Tandem keeps no record of when a profile became complete, so it is
read as it is now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Trim

from tandem.insights.scope import InsightScope
from tandem.mentorships.models import MeetingStatus, MentorshipState
from tandem.people.models import OfferedSkill, Profile, WantedSkill
from tandem.programs.models import Enrolment, Role

ROLES = (Role.MENTEE, Role.MENTOR)
SIDE = {Role.MENTEE: "mentee", Role.MENTOR: "mentor"}

# The checks of people.selectors.COMPLETENESS_CHECKS, in the same order, written in SQL below
# (a test fails when that list changes without this one).
PROFILE_CHECK_LABELS = (
    "goals or expertise",
    "skills",
    "seniority",
    "languages",
    "weekly availability",
    "preferred cadence",
    "working style",
    "headline",
)


def profile_complete() -> Q:
    """The person of the outer enrolment has a profile that passes every completeness check
    now (``people.selectors.profile_completeness`` at 100 %).

    ``person IN (the people whose profile is complete)``, not a correlated EXISTS: the
    database finds the complete profiles once (on PostgreSQL a hashed subplan) instead of once
    per row the aggregates reading it join (a person's mentorships times their meetings:
    half a million probes at 100,000 people)."""
    offered = OfferedSkill.objects.filter(profile=OuterRef("pk"))
    wanted = WantedSkill.objects.filter(profile=OuterRef("pk"))
    complete = Profile.objects.annotate(
        trimmed_goals=Trim("goals"),
        trimmed_expertise=Trim("expertise"),
        trimmed_headline=Trim("headline"),
    ).filter(
        ~Q(trimmed_goals="", trimmed_expertise=""),
        Exists(offered) | Exists(wanted),
        ~Q(languages=[]),
        ~Q(availability_utc=[]),
        ~Q(cadence=""),
        ~Q(working_style={}),
        ~Q(trimmed_headline=""),
        seniority__isnull=False,
    )
    return Q(person__in=complete.values("user"))


def cohort(scope: InsightScope, *roles: str) -> QuerySet[Enrolment]:
    """The enrolments in ``roles`` (mentee and mentor by default) made within the scope."""
    return Enrolment.objects.filter(
        scope.within("created_at"),
        program_id__in=scope.program_ids,
        role__in=roles or ROLES,
    )


# The person's mentorships on the enrolment's side, reached through the person (the index on
# mentee_id or mentor_id), kept to the enrolment's program by each aggregate's filter.
THEIRS = {
    Role.MENTEE: "person__mentorships_as_mentee",
    Role.MENTOR: "person__mentorships_as_mentor",
}
TIMED_STEPS = ("matched", "signed", "met", "completed", "ended_early")


def person_steps(
    queryset: QuerySet[Enrolment], role: str, *, now: datetime, steps: Iterable[str] = TIMED_STEPS
) -> QuerySet[Enrolment]:
    """``queryset`` (enrolments in one role), one row per enrolment, with ``<step>_at`` for
    each of ``steps``: the earliest time one of the person's mentorships in the program
    reached it, or NULL. ``matched``: made; ``signed``: its agreement signed by both (the
    mentorship becomes active at that instant); ``met``: a meeting not cancelled (nor marked
    as not taken place) that started before ``now``; ``completed``; ``ended_early``."""
    m = THEIRS[Role(role)]
    here = Q(**{f"{m}__program": F("program")})
    held = Q(
        **{
            f"{m}__meetings__status": MeetingStatus.SCHEDULED,
            f"{m}__meetings__starts_at__lte": now,
        }
    )
    times = {
        "matched": (f"{m}__created_at", here),
        "signed": (f"{m}__activated_at", here),
        "met": (f"{m}__meetings__starts_at", here & held),
        "completed": (f"{m}__ended_at", here & Q(**{f"{m}__state": MentorshipState.COMPLETED})),
        "ended_early": (
            f"{m}__ended_at",
            here & Q(**{f"{m}__state": MentorshipState.ENDED_EARLY}),
        ),
    }
    return queryset.annotate(
        **{f"{step}_at": Min(times[step][0], filter=times[step][1]) for step in steps}
    )


def active_now(role: str) -> Max:
    """1 when one of the person's mentorships in the program is active today, else 0 (an
    aggregate over the rows of :func:`person_steps`)."""
    m = THEIRS[Role(role)]
    active = Q(**{f"{m}__program": F("program"), f"{m}__state": MentorshipState.ACTIVE})
    return Max(Case(When(active, then=Value(1)), default=Value(0)))


def flag(condition: Exists | Q) -> Case:
    """1 when ``condition`` holds, else 0: a column :func:`column_counts` can count."""
    return Case(When(condition, then=Value(1)), default=Value(0))
