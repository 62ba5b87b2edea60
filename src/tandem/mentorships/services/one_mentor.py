"""One mentor at a time per mentee in a program: programs have no setting for more, and match
runs leave out mentees who have one (``ALREADY_MATCHED``); requests hold the same rule."""

from __future__ import annotations

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import OPEN_STATES, Mentorship
from tandem.people.models import User
from tandem.programs.models import Program

HAS_A_MENTOR = (
    "You already have a mentor in {program}: {mentor}. A mentee has one mentor at a time in a "
    "program; when that mentorship ends you can ask someone else."
)
MENTEE_HAS_A_MENTOR = (
    "{mentee} already has a mentor in {program}, and a mentee has one mentor at a time in a "
    "program."
)


def check_mentee_free(*, program: Program, mentee: User, user: User) -> None:
    """A proposed or active mentorship of ``mentee`` in ``program`` refuses another (the
    error names the mentor to the mentee only). An accept calls it holding the mentee's
    enrolment (``lock_enrolments``), as every accept and a mentee's own send take it, so of
    two at once the second finds the first's mentorship; no race makes a second mentorship
    (docs/mentorships.md, *Lock order*)."""
    current = (
        Mentorship.objects.filter(program=program, mentee=mentee, state__in=OPEN_STATES)
        .select_related("mentor")
        .first()
    )
    if current is None:
        return
    if user.pk == mentee.pk:
        error = HAS_A_MENTOR.format(program=program.name, mentor=current.mentor.display_name)
    else:  # the mentee's mentor is theirs to tell
        error = MENTEE_HAS_A_MENTOR.format(mentee=mentee.display_name, program=program.name)
    raise ApplicationError(error, status=409)
