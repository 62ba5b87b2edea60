"""Deleting an account ends what still hangs on the person in a program they hold no open
enrolment in (an admin removed them): the open mentorship ends and the other side is told, and
a request sent to them closes (crev F2)."""

from __future__ import annotations

import pytest

from tandem.mentorships.models import MentorshipRequest, MentorshipState, RequestState
from tandem.notify.models import Notification
from tandem.people.services.closing import account_delete
from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tests.mentorships.factories import RequestFactory, member
from tests.mentorships.factories import mentorship as make_mentorship
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _removed(person, program):
    Enrolment.objects.filter(person=person, program=program).update(status=EnrolmentStatus.REMOVED)


def test_an_open_mentorship_in_a_program_they_were_removed_from_ends():
    m = make_mentorship(state=MentorshipState.ACTIVE)
    person = m.mentee
    person.set_password(PASSWORD)
    person.save()
    _removed(person, m.program)
    account_delete(user=person, password=PASSWORD)
    m.refresh_from_db()
    assert m.state == MentorshipState.ENDED_EARLY
    assert Notification.objects.filter(recipient=m.mentor, title__contains="has ended").exists()


def test_a_request_to_a_removed_person_closes_and_the_sender_is_told():
    m = make_mentorship(state=MentorshipState.ENDED_EARLY)
    program, person = m.program, m.mentor
    person.set_password(PASSWORD)
    person.save()
    mentee = member(program, Role.MENTEE)
    request = RequestFactory(program=program, sender=mentee, recipient=person)
    _removed(person, program)
    account_delete(user=person, password=PASSWORD)
    request = MentorshipRequest.objects.get(pk=request.pk)
    assert request.state == RequestState.DECLINED
    assert Notification.objects.filter(recipient=mentee).exists()
