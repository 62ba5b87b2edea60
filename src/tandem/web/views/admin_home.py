"""The admin home: what someone who runs programs lands on. For each program they administer,
its people by stage, what needs them now, and the links to act; each app answers its own part
for the whole page of programs in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.pagination import page_of
from tandem.core.web import friendly_errors
from tandem.feedback.models import FLAGGED_STATES
from tandem.feedback.selectors.health_reads import health_counts_for_programs
from tandem.matchruns.models import MatchRun
from tandem.matchruns.selectors_overview import match_runs_waiting_for_admin
from tandem.mentorships.selectors import mentorship_list_for
from tandem.mentorships.selectors.attention import (
    RECENT,
    UNSIGNED_AFTER,
    ProgramMentoring,
    program_mentoring_for_admin,
)
from tandem.people.models import User
from tandem.programs.models import EnrolmentStatus, Program, Role
from tandem.programs.selectors import enrolment_list_for_person, program_list_administered_by
from tandem.programs.selectors.overview import ProgramPeople, Shortlist, program_people_for_admin
from tandem.programs.services import enrolment_set_status
from tandem.web.views.participant import dashboard

PROGRAMS_PER_PAGE = 10
PARTICIPANT_ROLES: tuple[str, ...] = (Role.MENTEE.value, Role.MENTOR.value)


@dataclass
class ProgramSection:
    """One program on the admin home: its people, its mentoring and its waiting match runs."""

    program: Program
    people: ProgramPeople = field(default_factory=ProgramPeople)
    mentoring: ProgramMentoring = field(default_factory=ProgramMentoring)
    runs: Shortlist[MatchRun] = field(default_factory=Shortlist)
    health: dict[str, int] = field(default_factory=dict)  # active mentorships by health state

    @property
    def needs_you(self) -> int:
        """How many things wait for the admin in this program, every one the section lists
        under "Needs you now" (live review: the stalled and at-risk mentorships were listed
        there but not counted, so the program read "Nothing needs you" above them)."""
        return (
            self.people.pending.total
            + self.runs.total
            + self.mentoring.requests_past_deadline.total
            + self.mentoring.agreements_unsigned.total
            + self.mentoring.ended_early.total
            + self.mentoring.open_problem_reports
            + self.needing_attention
        )

    @property
    def needing_attention(self) -> int:
        """Active mentorships whose health is stalled or at risk."""
        return sum(self.health.get(state, 0) for state in FLAGGED_STATES)

    @property
    def stages(self) -> list[tuple[str, str, dict[str, int]]]:
        """(key, label, {"mentee": n, "mentor": n}) from invitation to the end, in order; the
        waitlist only when someone is on it."""
        enrolled = self.people.enrolments

        def by_status(status: str) -> dict[str, int]:
            return {role: enrolled[role][status] for role in PARTICIPANT_ROLES}

        waitlisted = by_status(EnrolmentStatus.WAITLISTED)
        mentoring = self.mentoring.stages
        return [
            ("invited", "Invited", {r: self.people.invited[r] for r in PARTICIPANT_ROLES}),
            ("pending", "Awaiting approval", by_status(EnrolmentStatus.PENDING)),
            *([("waitlisted", "On the waitlist", waitlisted)] if any(waitlisted.values()) else []),
            ("active", "Active", by_status(EnrolmentStatus.ACTIVE)),
            ("matched", "Matched, agreeing terms", mentoring["matched"]),
            ("mentoring", "In a mentorship", mentoring["mentoring"]),
            ("finished", "Finished", mentoring["finished"]),
        ]


@login_required
@require_safe
def home(request):
    """``/``: the admin home for anyone who runs a program, the participant dashboard for
    everyone else (``me/`` is always the latter)."""
    programs = program_list_administered_by(user=request.user).order_by(
        F("archived_at").asc(nulls_first=True), "name", "pk"
    )
    page = page_of(request, programs, PROGRAMS_PER_PAGE)
    if not page.paginator.count:
        return dashboard(request)
    return admin_home(request, page)


def admin_home(request, page: Page):
    """A page of the programs the caller runs (archived ones last), each with its section."""
    ids = [program.pk for program in page.object_list]
    people = program_people_for_admin(user=request.user, program_ids=ids)
    mentoring = program_mentoring_for_admin(user=request.user, program_ids=ids)
    runs = match_runs_waiting_for_admin(user=request.user, program_ids=ids)
    health = health_counts_for_programs(program_ids=ids, reader_id=request.user.pk)
    sections = [
        ProgramSection(
            program=program,
            people=people.get(program.pk, ProgramPeople()),
            mentoring=mentoring.get(program.pk, ProgramMentoring()),
            runs=runs.get(program.pk, Shortlist()),
            health=health.get(program.pk, {}),
        )
        for program in page.object_list
    ]
    return render(
        request,
        "web/admin_home.html",
        {
            "page_obj": page,
            "sections": sections,
            "has_own_mentoring": _has_own_mentoring(request.user),
            "unsigned_days": UNSIGNED_AFTER.days,
            "recent_days": RECENT.days,
        },
    )


def _has_own_mentoring(user: User) -> bool:
    """Whether the admin also takes part (as a mentor or mentee) somewhere."""
    return (
        enrolment_list_for_person(user=user).exclude(role=Role.ADMIN).exists()
        or mentorship_list_for(user=user).exists()
    )


@login_required
@require_POST
@friendly_errors(back="dashboard")
def admin_home_approve(request, program_id: int, enrolment_id: int):
    """Approve one person awaiting approval from the admin home, and come back to it."""
    enrolment = enrolment_set_status(
        user=request.user, program_id=program_id, enrolment_id=enrolment_id, action="approve"
    )
    messages.success(
        request,
        f"Approved {enrolment.person.display_name} as "
        f"{enrolment.get_role_display().lower()} in {enrolment.program.name}.",
    )
    return redirect(f"{reverse('dashboard')}#program-{enrolment.program_id}")
