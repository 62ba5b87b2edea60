"""One rule for an enrolment that still counts (leftovers review 5): what one may leave and
what makes the home page ask for a matching profile were two tuples, ``LEAVABLE`` and
``TAKING_PART``, that had to be kept equal by hand."""

from __future__ import annotations

import pytest

from tandem.core.exceptions import NotFound
from tandem.programs import models
from tandem.programs.models import EnrolmentStatus, Role
from tandem.programs.services import leaving
from tandem.programs.services.leaving import leave_plan
from tandem.web.views import participant
from tests.mentorships.factories import ProgramFactory, member

pytestmark = pytest.mark.django_db


def test_leaving_and_the_home_page_read_the_one_definition():
    assert leaving.OPEN_STATUSES is participant.OPEN_STATUSES is models.OPEN_STATUSES
    assert not hasattr(leaving, "LEAVABLE") and not hasattr(participant, "TAKING_PART")
    assert set(models.OPEN_STATUSES) | set(models.CLOSED_STATUSES) == set(EnrolmentStatus)


@pytest.mark.parametrize("status", list(EnrolmentStatus))
def test_whoever_may_leave_takes_part_and_nobody_else(status):
    program = ProgramFactory()
    person = member(program, Role.MENTEE, status=status)
    try:
        may_leave = bool(leave_plan(user=person, slug=program.slug).enrolments)
    except NotFound:  # nothing of theirs there to leave
        may_leave = False
    assert participant.takes_part(person, list(person.enrolments.all())) == may_leave
