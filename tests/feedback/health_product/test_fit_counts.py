"""The first-meeting fit check's fit answer counts as that side's pulse: a mentee who rates the
fit poor and then gives the lowest pulse is at risk, though the pair meets weekly and the
mentor rates everything 5 (journeys review: it read "On track" with three concerns)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, HealthState, MentorshipHealth
from tandem.feedback.questions import DEFAULT_QUESTIONS, FIT_KEY
from tandem.feedback.services.health import health_refresh
from tests.feedback.health_product.builders import held, pulse, started

pytestmark = pytest.mark.django_db


def _fit(m, author, at, fit: int) -> CheckIn:
    return CheckIn.objects.create(
        mentorship=m,
        author=author,
        kind=CheckInKind.FIRST_MEETING,
        questions=DEFAULT_QUESTIONS[CheckInKind.FIRST_MEETING],
        due_at=at - timedelta(days=1),
        answered_at=at,
        answers={FIT_KEY: fit, "expectations_clear": "no", "adjust": "private words"},
    )


@pytest.mark.parametrize(
    ("mentee_fit", "state"), [(1, HealthState.AT_RISK), (4, HealthState.ON_TRACK)]
)
def test_a_poor_fit_and_the_lowest_pulse_put_the_pair_at_risk(mentee_fit, state):
    now = timezone.now()
    m = started(now, weeks=4)
    for days in (27, 20, 13, 6):
        held(m, now - timedelta(days=days))
    _fit(m, m.mentor, now - timedelta(days=26), 5)
    _fit(m, m.mentee, now - timedelta(days=26), mentee_fit)
    pulse(m, m.mentor, now - timedelta(days=5), 5, 5, 1)
    pulse(m, m.mentee, now - timedelta(days=5), 1, 1, 1)
    health_refresh(mentorships=[m], now=now)
    assert MentorshipHealth.objects.get(pk=m.pk).state == state
