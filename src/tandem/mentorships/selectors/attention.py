"""What the admin home shows of the mentoring in each program an admin runs: people matched,
in a mentorship and finished, and what needs the admin now (requests nobody answered in
time, agreements still unsigned after a week, mentorships that ended early, open problem
reports).

Status, dates and counts only, as the admins' view of a mentorship is: never what a pair
writes (request messages, agreements, end reasons). Every read answers for a page of programs
in one or two queries, and only for the programs the caller administers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tandem.mentorships.models import (
    OPEN_STATES,
    AgreementVersion,
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    ProblemReport,
    RequestState,
)
from tandem.mentorships.selectors.outside_admins import in_the_pair
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.models import Program
from tandem.programs.selectors.overview import Shortlist, administered_among, first_per_program

# The ids of the programs the caller administers, as a subquery (``administered_among``).
Allowed = QuerySet[Program, Any]

UNSIGNED_AFTER = timedelta(days=7)  # a proposed mentorship unsigned this long needs a nudge
RECENT = timedelta(days=30)  # how far back expired requests and early endings are shown

# The mentoring stages of the admin home: stage -> the mentorship states that count for it.
STAGES: dict[str, tuple[str, ...]] = {
    "matched": (MentorshipState.PROPOSED,),
    "mentoring": (MentorshipState.ACTIVE,),
    "finished": (MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY),
}


def _no_stages() -> dict[str, dict[str, int]]:
    return {stage: {"mentee": 0, "mentor": 0} for stage in STAGES}


@dataclass
class ProgramMentoring:
    """One program's mentoring, for its admins."""

    # stage (``STAGES``) -> {"mentee": people, "mentor": people}
    stages: dict[str, dict[str, int]] = field(default_factory=_no_stages)
    requests_past_deadline: Shortlist[MentorshipRequest] = field(default_factory=Shortlist)
    agreements_unsigned: Shortlist[Mentorship] = field(default_factory=Shortlist)
    ended_early: Shortlist[Mentorship] = field(default_factory=Shortlist)
    open_problem_reports: int = 0


def program_mentoring_for_admin(
    *,
    user: User | AnonymousUser,
    program_ids: Iterable[int],
    now: datetime | None = None,
) -> dict[int, ProgramMentoring]:
    """``ProgramMentoring`` for each of ``program_ids`` the caller administers that has any
    (eight queries, whatever the number of programs)."""
    if not is_signed_in(user):
        return {}
    now = now or timezone.now()
    allowed = administered_among(user=user, program_ids=program_ids)
    found: dict[int, ProgramMentoring] = {}

    def entry(program_id: int) -> ProgramMentoring:
        return found.setdefault(program_id, ProgramMentoring())

    for counts in _stage_counts(allowed):
        entry(counts["program_id"]).stages = {
            stage: {"mentee": counts[f"{stage}_mentee"], "mentor": counts[f"{stage}_mentor"]}
            for stage in STAGES
        }
    for program_id, requests in _requests_past_deadline(allowed, now).items():
        entry(program_id).requests_past_deadline = requests
    for program_id, unsigned in _agreements_unsigned(allowed, now).items():
        entry(program_id).agreements_unsigned = unsigned
    for program_id, ended in _ended_early(allowed, now).items():
        entry(program_id).ended_early = ended
    reports = (
        ProblemReport.objects.filter(mentorship__program__in=allowed, resolved_at__isnull=True)
        .exclude(in_the_pair(user))  # never a report about the admin's own mentorship
        .values("mentorship__program_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for report_count in reports:
        entry(report_count["mentorship__program_id"]).open_problem_reports = report_count["n"]
    return found


def _stage_counts(allowed: Allowed) -> Iterable[Mapping[str, Any]]:
    """Distinct mentees and mentors per stage: a mentor with two mentees counts once."""
    counts: dict[str, Count] = {}
    for stage, states in STAGES.items():
        in_stage = Q(state__in=states)
        counts[f"{stage}_mentee"] = Count("mentee", distinct=True, filter=in_stage)
        counts[f"{stage}_mentor"] = Count("mentor", distinct=True, filter=in_stage)
    return (
        Mentorship.objects.filter(program__in=allowed)
        .values("program_id")
        .annotate(**counts)
        .order_by()
    )


def _requests_past_deadline(
    allowed: Allowed, now: datetime
) -> dict[int, Shortlist[MentorshipRequest]]:
    """Requests the recipient let run out (still pending past the deadline, or expired in the
    last ``RECENT``), unless the mentee has found a mentorship in the program since."""
    # Looked up by mentee: compared as ``program_id + 0``, the program cannot pick the index
    # (SQLite, without statistics, would take the program's index and read every mentorship
    # of the program for each request: a second instead of milliseconds at 10,000 people).
    matched_since = Mentorship.objects.alias(program_of=F("program_id") + 0).filter(
        mentee_id=OuterRef("mentee_id"), state__in=OPEN_STATES, program_of=OuterRef("program_id")
    )
    past_deadline = Q(state=RequestState.PENDING, expires_at__lte=now) | Q(
        state=RequestState.EXPIRED, expires_at__gte=now - RECENT
    )
    return first_per_program(
        MentorshipRequest.objects.filter(past_deadline, program__in=allowed)
        .exclude(Exists(matched_since))
        .select_related("sender", "recipient", "mentee")
        .defer("message", "decline_reason"),
        order_by=[F("expires_at").desc(), F("pk").desc()],
    )


def _agreements_unsigned(allowed: Allowed, now: datetime) -> dict[int, Shortlist[Mentorship]]:
    """Mentorships still agreeing their terms ``UNSIGNED_AFTER`` after they were proposed,
    with who has signed the newest version (``mentor_signed_at``, ``mentee_signed_at``)."""
    newest = AgreementVersion.objects.filter(mentorship_id=OuterRef("pk")).order_by("-number")
    return first_per_program(
        Mentorship.objects.filter(
            program__in=allowed,
            state=MentorshipState.PROPOSED,
            created_at__lte=now - UNSIGNED_AFTER,
        )
        .select_related("mentor", "mentee")
        .annotate(
            mentor_signed_at=Subquery(newest.values("signed_by_mentor_at")[:1]),
            mentee_signed_at=Subquery(newest.values("signed_by_mentee_at")[:1]),
        ),
        order_by=[F("created_at").asc(), F("pk").asc()],
    )


def _ended_early(allowed: Allowed, now: datetime) -> dict[int, Shortlist[Mentorship]]:
    """Mentorships that ended early in the last ``RECENT``, newest first."""
    return first_per_program(
        Mentorship.objects.filter(
            program__in=allowed, state=MentorshipState.ENDED_EARLY, ended_at__gte=now - RECENT
        )
        .select_related("mentor", "mentee", "ended_by")
        .defer("end_reason", "closing_reflection"),
        order_by=[F("ended_at").desc(), F("pk").desc()],
    )
