"""Two people move one meeting: the later save must not silently undo the earlier move.

The reschedule page sends back where the meeting was when it was opened; if the partner moved it
since, nothing is saved and the page says where it is now (a page saved untouched after the
partner's move used to move the meeting back and email the partner)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.models import Meeting
from tests.mentorships.factories import meeting, mentorship
from tests.untouched import form_data, nothing_changes, untouched_data

pytestmark = pytest.mark.django_db


def move(found: Meeting, user, hours: float, **kwargs) -> tuple[Meeting, bool]:
    starts_at = (found.starts_at + timedelta(hours=hours)).replace(microsecond=0)
    return services.meeting_reschedule(
        user=user,
        meeting_id=found.pk,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=found.duration_minutes),
        **kwargs,
    )


def test_a_move_from_a_stale_view_is_refused_and_changes_nothing():
    m = mentorship()
    found = meeting(m, in_hours=72)
    seen = (found.starts_at, found.duration_minutes)
    moved, _ = move(found, m.mentee, 24)
    with nothing_changes(moved), pytest.raises(services.MovedMeanwhile) as refused:
        move(found, m.mentor, 48, seen=seen)
    assert refused.value.status == 409
    assert "was moved to" in refused.value.fields["starts_at"]


def test_a_move_from_a_current_view_or_without_one_goes_through():
    m = mentorship()
    found = meeting(m, in_hours=72)
    moved, was_moved = move(found, m.mentor, 24, seen=(found.starts_at, found.duration_minutes))
    assert was_moved
    again, was_moved = move(moved, m.mentee, 24)  # the API sends no view
    assert was_moved and again.starts_at == moved.starts_at + timedelta(hours=24)


@pytest.mark.parametrize("touched", [False, True])
def test_the_page_opened_before_the_partner_moved_the_meeting_does_not_undo_it(client, touched):
    m = mentorship()
    found = meeting(m, in_hours=72)
    client.force_login(m.mentor)
    url = reverse("meeting_reschedule", args=[found.pk])
    data = untouched_data(client, url, url)
    if touched:
        data["duration_minutes"] = ["30"]
    partners, _ = move(found, m.mentee, 24)
    with nothing_changes(partners):
        page = client.post(url, data)
    assert page.status_code == 200
    assert "was moved to" in page.content.decode()
    # Sent again from the page that said so, it is a deliberate move and goes through.
    again = form_data(url, page.content.decode(), url)
    assert client.post(url, again).status_code == 302
    partners.refresh_from_db()
    assert partners.starts_at == found.starts_at.replace(microsecond=0)
    assert partners.duration_minutes == (30 if touched else found.duration_minutes)
