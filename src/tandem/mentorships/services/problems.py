"""Reporting a problem to the program's admins, and an admin resolving it.

A report is not the pair's shared content: it goes to the program's admins who are not one of
the pair (``problem_report_readers``; a mentor who also runs the program is left out), it is
not put on the pair's timeline, and the other person of the mentorship never learns of it.
When no such admin exists the report is refused before anything is written. The
notifications name who, where and when; the text stays on the page (never in an email).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.locking import refuse_repeat
from tandem.mentorships.models import PROBLEM_TEXT_LIMIT, ProblemReport
from tandem.mentorships.selectors import (
    NO_PROBLEM_REPORT_READER,
    access_mentorship,
    access_problem_report,
    problem_report_readers,
)
from tandem.mentorships.services.common import mentorship_url
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, notify_send_each
from tandem.people.models import User

PROBLEM_TEXT_REQUIRED = "Say what the problem is, in a few sentences."
PROBLEM_TEXT_TOO_LONG = f"Keep it under {PROBLEM_TEXT_LIMIT} characters."
PROBLEM_REPEATED = (
    "You reported this already, in the same words, and it is not resolved yet: the admins "
    "were told once."
)


def problem_report_url(mentorship_id: int) -> str:
    return reverse("problem_report_new", args=[mentorship_id])


def problem_report_create(*, user: User, mentorship_id: int, text: str) -> ProblemReport:
    """One of the pair tells the program's admins outside the pair about a problem, in any
    state of the mentorship (a problem may surface after it ended). Refused (409) when there
    is no such admin: the report would reach nobody. The same text from the same person while
    their first report of it is unresolved is that report (a double submit; ``Repeated``)."""
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        readers = problem_report_readers(mentorship=mentorship)
        if not readers:
            raise ApplicationError(NO_PROBLEM_REPORT_READER, status=409)
        text = (text or "").strip()
        if not text:
            raise ApplicationError(PROBLEM_TEXT_REQUIRED, fields={"text": PROBLEM_TEXT_REQUIRED})
        if len(text) > PROBLEM_TEXT_LIMIT:
            raise ApplicationError(PROBLEM_TEXT_TOO_LONG, fields={"text": PROBLEM_TEXT_TOO_LONG})
        refuse_repeat(
            mentorship.problem_reports.filter(reporter=user, text=text, resolved_at__isnull=True),
            message=PROBLEM_REPEATED,
            url=problem_report_url(mentorship.pk),
        )
        report = ProblemReport.objects.create(mentorship=mentorship, reporter=user, text=text)
        program = mentorship.program
        # Not ``program_admins_notify``: that tells every admin, and one of the pair may be one.
        notify_send_each(
            recipients=readers,
            kind=Kind.PROBLEM_REPORTED,
            title=f"{user.display_name} reported a problem in {program.name}",
            body=f"About the mentorship of {mentorship.mentor.display_name} (mentor) and "
            f"{mentorship.mentee.display_name} (mentee). Read it on the mentorship's page.",
            url=mentorship_url(mentorship) + "#problems",
        )
    return report


def problem_report_resolve(*, user: User, report_id: int) -> ProblemReport:
    """An admin of the report's program outside its pair marks it resolved; the reporter is
    told. Resolving a resolved report changes nothing (a second click, or two admins at once)."""
    with transaction.atomic():
        report = access_problem_report(user=user, report_id=report_id, for_update=True)
        if report.resolved_at is not None:
            return report
        report.resolved_at = timezone.now()
        report.resolved_by = user
        report.save(update_fields=["resolved_at", "resolved_by"])
        notify_send(
            recipient=report.reporter,
            kind=Kind.MENTORSHIP,
            title=f"An admin of {report.mentorship.program.name} resolved the problem you reported",
            body=f"{user.display_name} marked it resolved.",
            url=problem_report_url(report.mentorship_id),
        )
    return report
