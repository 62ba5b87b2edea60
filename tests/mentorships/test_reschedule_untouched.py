"""The reschedule page saved as it opened moves nothing and tells nobody, even when the stored
start has seconds and microseconds the page does not show (116 of the demo's 122 future
meetings did, and each untouched save "moved" the meeting to the same minute)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tandem.mentorships.models import Meeting
from tandem.mentorships.views.meetings import MEETING_MOVED, MEETING_UNCHANGED
from tests.mentorships.factories import meeting, mentorship
from tests.untouched import nothing_changes, submit_untouched, untouched_data

pytestmark = pytest.mark.django_db


def _pages(mt: Meeting) -> tuple[str, str]:
    url = reverse("meeting_reschedule", args=[mt.pk])
    return url, url


@pytest.mark.parametrize(
    ("second", "microsecond"),
    [(53, 123456), (0, 500), (0, 0)],
    ids=["seconds-and-microseconds", "microseconds-only", "whole-minute"],
)
def test_saved_untouched_changes_nothing_and_tells_nobody(client, second, microsecond):
    m = mentorship()
    mt = meeting(m)
    mt.starts_at = mt.starts_at.replace(second=second, microsecond=microsecond)
    mt.save()
    client.force_login(m.mentor)
    with nothing_changes(mt):
        response = submit_untouched(client, *_pages(mt))
    assert MEETING_UNCHANGED in response.content.decode()


def test_a_changed_time_still_moves_the_meeting(client):
    m = mentorship()
    mt = meeting(m)
    mt.starts_at = mt.starts_at.replace(second=53, microsecond=123456)
    mt.save()
    client.force_login(m.mentor)
    data = untouched_data(client, *_pages(mt))
    data["date"] = [(date.fromisoformat(data["date"][0]) + timedelta(days=1)).isoformat()]
    response = client.post(_pages(mt)[1], data, follow=True)
    mt.refresh_from_db()
    assert MEETING_MOVED in response.content.decode()
    assert mt.sequence == 1
    assert mt.mentorship.events.filter(kind="meeting_moved").exists()
