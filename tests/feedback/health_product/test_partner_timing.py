"""The time the pair reads with their health moves only with their own view, never with a
refresh the other side's private answer set off (live privacy review: the panel's "checked
HH:MM" and the API's ``computed_at`` showed a partner the moment the other answered or edited a
check-in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, MentorshipHealth
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.services.checkins import checkin_answer
from tandem.feedback.services.health import health_refresh
from tandem.programs.models import Role
from tests.feedback.health_product.test_side_views import HIGH, api, pair_answering, panels
from tests.mentorships.factories import member
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("progress", [1, 5])
def test_the_other_side_answering_moves_no_time_the_mentor_reads(client, progress):
    now = timezone.now()
    pair = pair_answering(ProgramFactory(), now, HIGH)
    health_refresh(mentorships=[pair], now=now)
    before = api(client, pair.mentor, pair), panels(client, pair.mentor, pair)
    pulse = CheckIn.objects.create(
        mentorship=pair,
        author=pair.mentee,
        kind=CheckInKind.PULSE,
        sequence=5,
        questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
        due_at=now - timedelta(hours=1),
    )
    answers = {"progress": progress, "meeting_useful": progress}
    checkin_answer(user=pair.mentee, checkin_id=pulse.pk, answers=answers)
    later = now + timedelta(hours=1)
    health_refresh(mentorships=[pair], now=later)  # as the "soon after" sweep does
    assert MentorshipHealth.objects.get(pk=pair.pk).computed_at == later  # the premise
    assert (api(client, pair.mentor, pair), panels(client, pair.mentor, pair)) == before
    admin = member(pair.program, Role.ADMIN)
    assert api(client, admin, pair)["computed_at"] != before[0]["computed_at"]


def test_the_time_the_pair_reads_moves_when_their_own_view_changes(client):
    now = timezone.now()
    pair = pair_answering(ProgramFactory(), now, HIGH)
    health_refresh(mentorships=[pair], now=now)
    first = api(client, pair.mentee, pair)
    view = MentorshipHealth.objects.get(pk=pair.pk).views["mentee"]
    assert view["changed_at"] == now.isoformat()
    MentorshipHealth.objects.filter(pk=pair.pk).update(
        views={"mentee": {**view, "reasons": [], "changed_at": now.isoformat()}}
    )
    later = now + timedelta(hours=3)
    health_refresh(mentorships=[pair], now=later)  # the reasons come back: a change
    assert api(client, pair.mentee, pair)["computed_at"] != first["computed_at"]
