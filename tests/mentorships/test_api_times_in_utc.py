"""API review: a meeting scheduled or moved with a UTC offset (``+01:00``) was echoed with that
offset, while every read of it (the meeting, the list, a cancel) answered in UTC: a client
comparing the two saw two starts. Every instant the API answers is in UTC, as docs/mentorships.md
says and as it is stored (``tandem.api.UtcJSONRenderer``)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.mentorships.factories import call, mentorship

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _body(start: datetime) -> dict[str, str]:
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}


def test_a_start_sent_with_an_offset_comes_back_in_utc_from_every_operation(client):
    m = mentorship()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = (hour + timedelta(days=3)).astimezone(BERLIN)
    url = f"/api/mentorships/{m.pk}/meetings"
    scheduled = call(client, "post", url, m.mentee, {**_body(start), "format": "video"})
    assert scheduled.status_code == 201, scheduled.content
    meeting_id = scheduled.json()["id"]
    moved_to = start + timedelta(days=1)
    moved = call(
        client, "post", f"/api/mentorships/meetings/{meeting_id}/reschedule", None, _body(moved_to)
    )
    assert moved.status_code == 200, moved.content
    read = call(client, "get", f"/api/mentorships/meetings/{meeting_id}").json()
    listed = call(client, "get", url).json()["items"][0]

    in_utc = f"{moved_to.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"
    assert scheduled.json()["starts_at"] == f"{start.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"
    assert moved.json()["starts_at"] == read["starts_at"] == listed["starts_at"] == in_utc
