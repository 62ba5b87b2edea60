"""A pulse asked before the pair's first meeting does not ask how useful their last meeting
was (journeys review: a check-in an admin sent to a pair that had not met yet required an
answer to "How useful was your last meeting?"). Once a meeting has begun, it asks again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import USEFULNESS_KEY
from tandem.feedback.services.checkin_schedule import checkins_create_due
from tandem.feedback.services.health_actions import health_checkin_send
from tandem.mentorships.models import MeetingStatus
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db


def _keys(checkin: CheckIn) -> set[str]:
    return {question["key"] for question in checkin.questions}


def _pulses_sent_by_an_admin(m) -> list[CheckIn]:
    health_checkin_send(user=member(m.program, Role.ADMIN), mentorship_id=m.pk)
    return list(CheckIn.objects.filter(mentorship=m, kind=CheckInKind.PULSE))


def test_an_admins_pulse_before_any_meeting_leaves_out_the_last_meeting():
    now = timezone.now()
    m = started(now, weeks=3)
    held(m, now + timedelta(days=2))  # booked, not begun
    cancelled = held(m, now - timedelta(days=1))
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.save()
    pulses = _pulses_sent_by_an_admin(m)
    assert len(pulses) == 2
    for pulse in pulses:
        assert USEFULNESS_KEY not in _keys(pulse)
        assert "progress" in _keys(pulse)


def test_an_admins_pulse_after_a_meeting_asks_about_it():
    now = timezone.now()
    m = started(now, weeks=3)
    held(m, now - timedelta(days=4))
    for pulse in _pulses_sent_by_an_admin(m):
        assert USEFULNESS_KEY in _keys(pulse)


def test_a_scheduled_pulse_asks_about_the_last_meeting_once_the_pair_has_met():
    now = timezone.now()
    m = started(now, weeks=10)
    held(m, now - timedelta(weeks=9))
    checkins_create_due(now)
    pulses = CheckIn.objects.filter(mentorship=m, kind=CheckInKind.PULSE)
    assert pulses.exists()
    assert all(USEFULNESS_KEY in _keys(pulse) for pulse in pulses)
