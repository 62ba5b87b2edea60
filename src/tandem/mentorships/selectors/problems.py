"""Reads about problem reports. A report is read by the person who wrote it and by the admins
of its program (the one program-admin rule), never by the other person of the mentorship,
nor by site staff or anyone else; "missing" and "not yours" are the same 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.mentorships.models import Mentorship, ProblemReport
from tandem.mentorships.selectors.access import Viewer
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.selectors import PROGRAM_NOT_FOUND, is_program_admin

PROBLEM_REPORT_NOT_FOUND = "That report does not exist, or it is not in a program you run."


def _reports() -> QuerySet[ProblemReport]:
    return ProblemReport.objects.select_related(
        "reporter",
        "resolved_by",
        "mentorship",
        "mentorship__program",
        "mentorship__mentor",
        "mentorship__mentee",
    )


def access_problem_report(
    *, user: User | AnonymousUser, report_id: int, for_update: bool = False
) -> ProblemReport:
    """A report for an admin of its program, the only one who acts on it. ``for_update``
    locks it (inside ``transaction.atomic`` only)."""
    if not is_signed_in(user):
        raise NotFound(PROBLEM_REPORT_NOT_FOUND)
    report = lockable(_reports(), for_update=for_update).filter(pk=report_id).first()
    if report is None or not is_program_admin(user=user, program_id=report.mentorship.program_id):
        raise NotFound(PROBLEM_REPORT_NOT_FOUND)
    return report


def problem_report_list_for_mentorship(
    *, user: User, mentorship: Mentorship
) -> QuerySet[ProblemReport]:
    """For a mentorship ``access_mentorship(need=OVERVIEW)`` returned: every report for an
    admin of its program, the caller's own for one of the pair (never the other's)."""
    reports = _reports().filter(mentorship=mentorship)
    if Viewer.of(mentorship, user).is_participant:
        return reports.filter(reporter=user)
    return reports


def problem_report_list_for_program(
    *, user: User, program_id: int, open_only: bool = False
) -> QuerySet[ProblemReport]:
    """A program's reports, for its admins only; the open ones first, newest first."""
    if not is_program_admin(user=user, program_id=program_id):
        raise NotFound(PROGRAM_NOT_FOUND)
    reports = _reports().filter(mentorship__program__pk=program_id)
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return reports.order_by("-created_at", "-pk")


def problem_report_open_count(*, program_id: int) -> int:
    """For a page already shown to the program's admin."""
    return ProblemReport.objects.filter(
        mentorship__program__pk=program_id, resolved_at__isnull=True
    ).count()
