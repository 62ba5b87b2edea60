"""The pre-filled draft says whose goals it came from in the reader's words (journeys review:
the mentee read "the first of Ana Tane's goals" about her own goals)."""

import pytest
from django.utils.html import escape

from tandem.mentorships.models import MentorshipState
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db


def test_the_mentee_reads_your_goals_and_the_mentor_reads_their_name(client):
    m = mentorship(state=MentorshipState.PROPOSED)
    client.force_login(m.mentee)
    page = client.get(f"/mentorships/{m.pk}/").content.decode()
    assert "the first of your goals" in page
    assert f"{escape(m.mentee.display_name)}'s goals" not in page
    client.force_login(m.mentor)
    page = client.get(f"/mentorships/{m.pk}/").content.decode()
    assert f"the first of {escape(m.mentee.display_name)}'s goals" in page
