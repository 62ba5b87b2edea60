"""The API takes back the meeting times it hands out, and its reschedule can say where the
caller read the meeting.

A live review found ``GET /api/mentorships/meetings/{id}`` answering a start stored with a
fraction of a second (the demo's, any made before whole seconds were required) as
``15:00:00.123Z``, and ``/reschedule`` refusing that very value on both fields (422). Fractions
are accepted again; the length is kept to the nearest minute (``10:00:00.123`` to ``11:00`` is
60 minutes, floored it was 59). The API reschedule also had no moved-meanwhile check: with
``seen_starts_at`` and ``seen_minutes`` a stale move is a 409, as on the reschedule page.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tandem.mentorships.api.meetings import SEEN_TOGETHER
from tandem.mentorships.models import Meeting
from tests.mentorships.factories import meeting, mentorship
from tests.untouched import nothing_changes

pytestmark = pytest.mark.django_db


def with_fraction(m, **kwargs) -> Meeting:
    """Stored to the microsecond, as the demo's are: the API hands it out to the millisecond."""
    found = meeting(m, in_hours=72, duration_minutes=60, **kwargs)
    found.starts_at = found.starts_at.replace(microsecond=123456)
    found.save(update_fields=["starts_at"])
    return found


def read(client, found: Meeting) -> dict:
    response = client.get(f"/api/mentorships/meetings/{found.pk}")
    assert response.status_code == 200
    return response.json()


def reschedule(client, found: Meeting, **body):
    return client.post(
        f"/api/mentorships/meetings/{found.pk}/reschedule",
        json.dumps(body),
        content_type="application/json",
    )


def later(text: str, minutes: int) -> str:
    return (datetime.fromisoformat(text) + timedelta(minutes=minutes)).isoformat()


def test_the_start_it_hands_out_is_taken_back_to_change_the_length(client):
    m = mentorship()
    found = with_fraction(m)
    client.force_login(m.mentor)
    shown = read(client, found)
    assert ".123" in shown["starts_at"]
    response = reschedule(
        client, found, starts_at=shown["starts_at"], ends_at=later(shown["starts_at"], 30)
    )
    assert response.status_code == 200, response.content
    found.refresh_from_db()
    assert found.duration_minutes == 30
    assert found.starts_at.microsecond == 123000


def test_the_start_and_length_it_hands_out_sent_back_are_no_move(client):
    m = mentorship()
    found = with_fraction(m)
    client.force_login(m.mentor)
    shown = read(client, found)
    with nothing_changes(found):
        response = reschedule(
            client,
            found,
            starts_at=shown["starts_at"],
            ends_at=later(shown["starts_at"], shown["duration_minutes"]),
        )
    assert response.status_code == 200, response.content
    assert response.json()["sequence"] == shown["sequence"]


@pytest.mark.parametrize(
    ("starts", "ends", "minutes"),
    [
        ("10:00:00.123", "11:00:00", 60),  # the review's: floored it was 59
        ("10:00:00", "11:00:00.123", 60),
        ("10:00:00", "10:59:29", 59),
        ("10:00:00", "10:59:30", 60),
        ("10:00:00", "10:00:20", 5),  # shorter is kept as the shortest meeting
    ],
)
def test_a_length_with_fractions_is_kept_to_the_nearest_minute(client, starts, ends, minutes):
    m = mentorship()
    client.force_login(m.mentor)
    response = client.post(
        f"/api/mentorships/{m.pk}/meetings",
        json.dumps(
            {
                "starts_at": f"2027-03-01T{starts}Z",
                "ends_at": f"2027-03-01T{ends}Z",
                "format": "call",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    saved = Meeting.objects.get(mentorship=m)
    assert saved.duration_minutes == minutes
    assert saved.starts_at == datetime.fromisoformat(f"2027-03-01T{starts}+00:00")


def test_a_move_from_a_stale_read_is_refused_with_409_and_changes_nothing(client):
    m = mentorship()
    found = with_fraction(m)
    client.force_login(m.mentor)
    shown = read(client, found)
    client.force_login(m.mentee)
    assert (
        reschedule(
            client,
            found,
            starts_at=later(shown["starts_at"], 24 * 60),
            ends_at=later(shown["starts_at"], 25 * 60),
        ).status_code
        == 200
    )
    found.refresh_from_db()
    client.force_login(m.mentor)
    stale = {"seen_starts_at": shown["starts_at"], "seen_minutes": shown["duration_minutes"]}
    with nothing_changes(found):
        response = reschedule(
            client,
            found,
            starts_at=later(shown["starts_at"], 48 * 60),
            ends_at=later(shown["starts_at"], 49 * 60),
            **stale,
        )
    assert response.status_code == 409
    assert "was moved to" in response.json()["fields"]["starts_at"]
    # Read again, the same move goes through.
    current = read(client, found)
    response = reschedule(
        client,
        found,
        starts_at=later(shown["starts_at"], 48 * 60),
        ends_at=later(shown["starts_at"], 49 * 60),
        seen_starts_at=current["starts_at"],
        seen_minutes=current["duration_minutes"],
    )
    assert response.status_code == 200, response.content
    found.refresh_from_db()
    assert found.starts_at == datetime.fromisoformat(later(shown["starts_at"], 48 * 60))


@pytest.mark.parametrize(
    ("given", "missing"),
    [("seen_starts_at", "seen_minutes"), ("seen_minutes", "seen_starts_at")],
)
def test_half_of_where_it_was_read_is_a_422_naming_the_other_half(client, given, missing):
    m = mentorship()
    found = with_fraction(m)
    client.force_login(m.mentor)
    shown = read(client, found)
    seen = {"seen_starts_at": shown["starts_at"], "seen_minutes": shown["duration_minutes"]}
    with nothing_changes(found):
        response = reschedule(
            client,
            found,
            starts_at=later(shown["starts_at"], 60),
            ends_at=later(shown["starts_at"], 120),
            **{given: seen[given]},
        )
    assert response.status_code == 422
    assert response.json()["fields"] == {missing: SEEN_TOGETHER}


def test_where_it_hands_the_meeting_out_is_where_it_was_seen(client):
    """A fourth review: read to the millisecond, a start stored to the microsecond was "moved
    meanwhile" on every try, and an echo of it a move that told the partner."""
    m = mentorship()
    found = with_fraction(m)
    client.force_login(m.mentor)
    shown = read(client, found)
    new_start = later(shown["starts_at"], 60 * 24)
    response = reschedule(
        client,
        found,
        starts_at=new_start,
        ends_at=later(new_start, 60),
        seen_starts_at=shown["starts_at"],
        seen_minutes=shown["duration_minutes"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["sequence"] == shown["sequence"] + 1
