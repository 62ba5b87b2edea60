"""Reads about problem reports. A report is read by the person who wrote it and by the admins
of its program who are not one of the pair (``may_read_problem_reports``, the one rule for
lists, counts, resolving and who is told), never by the other person of the mentorship, even
when they also run the program, nor by site staff or anyone else; "missing" and "not yours"
are the same 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.mentorships.models import Mentorship, ProblemReport
from tandem.mentorships.selectors.outside_admins import (
    admins_outside_pair,
    in_the_pair,
    is_admin_outside_pair,
)
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.selectors import PROGRAM_NOT_FOUND, is_program_admin

PROBLEM_REPORT_NOT_FOUND = "That report does not exist, or it is not in a program you run."
NO_PROBLEM_REPORT_READER = (
    "This program has no admin other than the two of you, so nobody could read this here. "
    "Contact your organisation's site administrator."
)


def _reports() -> QuerySet[ProblemReport]:
    return ProblemReport.objects.select_related(
        "reporter",
        "resolved_by",
        "mentorship",
        "mentorship__program",
        "mentorship__mentor",
        "mentorship__mentee",
    )


def may_read_problem_reports(*, user: User | AnonymousUser, mentorship: Mentorship) -> bool:
    """The rule: an admin of the mentorship's program who is not one of its pair (a mentor who
    also runs the program never reads, resolves or hears of a report about their own
    mentorship; the reporter reads their own through ``problem_report_list_for_mentorship``)."""
    return is_admin_outside_pair(user=user, mentorship=mentorship)


def problem_report_readers(*, mentorship: Mentorship) -> list[User]:
    """Who may read a report on ``mentorship`` now, by the rule above: its program's active
    admins, the pair left out. Empty: a report would reach nobody, so none is taken."""
    return admins_outside_pair(mentorship=mentorship)


def access_problem_report(
    *, user: User | AnonymousUser, report_id: int, for_update: bool = False
) -> ProblemReport:
    """A report for one who may read it (an admin of its program outside the pair), the only
    one who acts on it. ``for_update`` locks it (inside ``transaction.atomic`` only)."""
    if not is_signed_in(user):
        raise NotFound(PROBLEM_REPORT_NOT_FOUND)
    report = lockable(_reports(), for_update=for_update).filter(pk=report_id).first()
    if report is None or not may_read_problem_reports(user=user, mentorship=report.mentorship):
        raise NotFound(PROBLEM_REPORT_NOT_FOUND)
    return report


def problem_report_list_for_mentorship(
    *, user: User, mentorship: Mentorship
) -> QuerySet[ProblemReport]:
    """For a mentorship ``access_mentorship(need=OVERVIEW)`` returned: every report for one
    who may read them, only the caller's own for anyone else (one of the pair: never the
    other's, even when they also run the program)."""
    reports = _reports().filter(mentorship=mentorship)
    if may_read_problem_reports(user=user, mentorship=mentorship):
        return reports
    return reports.filter(reporter=user)


def problem_report_list_for_program(
    *, user: User, program_id: int, open_only: bool = False
) -> QuerySet[ProblemReport]:
    """A program's reports, for its admins only, newest first; never those about a mentorship
    the admin is one of the pair of."""
    if not is_program_admin(user=user, program_id=program_id):
        raise NotFound(PROGRAM_NOT_FOUND)
    reports = _reports().filter(mentorship__program__pk=program_id).exclude(in_the_pair(user))
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return reports.order_by("-created_at", "-pk")


def problem_report_open_count(*, user: User, program_id: int) -> int:
    """The open reports of the program the caller may read (0 for anyone but its admins)."""
    if not is_program_admin(user=user, program_id=program_id):
        return 0
    return (
        ProblemReport.objects.filter(mentorship__program__pk=program_id, resolved_at__isnull=True)
        .exclude(in_the_pair(user))
        .count()
    )
