"""Issue 10 item 13: on the meeting page the primary content (when, the call, the agenda) comes
before moving or cancelling, in the page's order, so a phone (390 px, one column) reaches it
first. Live review: the cancel buttons still sat above the notes and action items; they come
last now, and each asks first (tests/mentorships/test_confirm.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships.models import MeetingSeries, MeetingStatus, MentorshipState
from tests.mentorships.factories import meeting, mentorship

pytestmark = pytest.mark.django_db


def page(client, user, m) -> str:
    client.force_login(user)
    return client.get(reverse("meeting_detail", args=[m.pk])).content.decode()


def test_time_call_and_agenda_come_before_move_and_cancel(client):
    pair = mentorship()
    m = meeting(pair, video_url="https://meet.example.org/room-1")
    html = page(client, pair.mentee, m)
    order = [
        html.index("<h1>Meeting on"),
        html.index("Join the video call"),
        html.index('id="agenda"'),
        html.index('id="notes"'),
        html.index('id="meeting-actions"'),
        html.index('id="change"'),
        html.index(reverse("meeting_reschedule", args=[m.pk])),
        html.index("Cancel this meeting"),
    ]
    assert order == sorted(order)


def test_the_series_cancel_is_with_the_other_changes(client):
    pair = mentorship()
    series = MeetingSeries.objects.create(
        mentorship=pair,
        starts_at=meeting(pair).starts_at,
        duration_minutes=45,
        format="video",
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    m = meeting(pair, in_hours=72, series=series)
    html = page(client, pair.mentor, m)
    assert html.index('id="agenda"') < html.index('id="change"')
    assert html.index('id="change"') < html.index("Cancel the rest of the series")


@pytest.mark.parametrize("why", ["past", "cancelled", "ended"])
def test_no_change_section_when_nothing_can_change(client, why):
    pair = mentorship(state=MentorshipState.ENDED_EARLY if why == "ended" else "active")
    m = meeting(
        pair,
        in_hours=-48 if why == "past" else 48,
        status=MeetingStatus.CANCELLED if why == "cancelled" else MeetingStatus.SCHEDULED,
    )
    html = page(client, pair.mentee, m)
    assert 'id="change"' not in html and "Cancel this meeting" not in html
    assert "Download .ics" in html
