"""Each participant's steps through a program, as SQL expressions on their enrolment.

A step's time is the earliest time any of the person's mentorships in that program reached it
(a person re-matched after an early end reaches "matched" once, at the first match). Profile
completeness has no time: Tandem keeps no record of when a profile became complete, so it is
read as it is now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Trim

from tandem.insights.scope import InsightScope
from tandem.mentorships.models import Meeting, MeetingStatus, Mentorship, MentorshipState
from tandem.people.models import Profile
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


def profile_complete() -> Exists:
    """The person of the outer enrolment has a profile that passes every completeness check
    now (``people.selectors.profile_completeness`` at 100 %)."""
    offered = Profile.skills_offered.through.objects.filter(profile=OuterRef("pk"))
    wanted = Profile.skills_wanted.through.objects.filter(profile=OuterRef("pk"))
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
        user=OuterRef("person"),
    )
    return Exists(complete)


def cohort(scope: InsightScope, *roles: str) -> QuerySet[Enrolment]:
    """The enrolments in ``roles`` (mentee and mentor by default) made within the scope."""
    return Enrolment.objects.filter(
        scope.within("created_at"),
        program_id__in=scope.program_ids,
        role__in=roles or ROLES,
    )


def theirs(role: str, **condition: Any) -> QuerySet[Mentorship]:
    """The outer enrolment's person's mentorships in its program, on the enrolment's side."""
    return Mentorship.objects.filter(
        program=OuterRef("program"), **{SIDE[Role(role)]: OuterRef("person")}, **condition
    )


def earliest(queryset: QuerySet[Any], field: str) -> Subquery:
    """The earliest non-empty ``field`` of ``queryset`` (an outer-referencing subquery)."""
    rows = queryset.filter(**{f"{field}__isnull": False}).order_by(field).values(field)
    return Subquery(rows[:1])


def with_steps(queryset: QuerySet[Enrolment], role: str, *, now: datetime) -> QuerySet[Enrolment]:
    """``queryset`` (enrolments in one role) with each step's time, or NULL when not reached:
    ``matched_at`` (first mentorship made), ``signed_at`` (first agreement signed by both:
    the mentorship becomes active at that instant), ``met_at`` (first meeting held: not
    cancelled and started before ``now``), ``completed_at``, ``ended_early_at``; and the flags
    ``profile_done`` and ``active_now``."""
    side = SIDE[Role(role)]
    meetings = Meeting.objects.filter(
        mentorship__program=OuterRef("program"),
        **{f"mentorship__{side}": OuterRef("person")},
        status=MeetingStatus.SCHEDULED,
        starts_at__lte=now,
    )
    return queryset.annotate(
        profile_done=profile_complete(),
        matched_at=earliest(theirs(role), "created_at"),
        signed_at=earliest(theirs(role), "activated_at"),
        met_at=earliest(meetings, "starts_at"),
        completed_at=earliest(theirs(role, state=MentorshipState.COMPLETED), "ended_at"),
        ended_early_at=earliest(theirs(role, state=MentorshipState.ENDED_EARLY), "ended_at"),
        active_now=Exists(theirs(role, state=MentorshipState.ACTIVE)),
    )
