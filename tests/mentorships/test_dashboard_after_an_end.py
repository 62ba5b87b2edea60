"""The dashboard's "Your mentorships" card lists the mentorships under way; once the only one
has ended it says none is under way, not "No mentorships yet" (journeys review: Ana read that
the day she ended hers early)."""

import pytest

from tandem.mentorships.models import MentorshipState
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db


def test_a_person_whose_only_mentorship_ended_reads_that_none_is_under_way(client):
    m = mentorship(state=MentorshipState.ENDED_EARLY)
    client.force_login(m.mentee)
    page = client.get("/").content.decode()
    assert "No mentorships yet" not in page
    assert "No mentorship under way." in page
