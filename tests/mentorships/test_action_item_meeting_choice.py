"""Journeys review: the "From meeting" choice of the action-item form listed meetings as
"14 Dec 2026 18:00", naming no zone in a pair that often lives in two, unlike every other
time on the page. It now reads as they do: "Mon 14 Dec, 18:00 IST"."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse

from tests.mentorships.factories import meeting, mentorship

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def test_the_meeting_choice_names_the_readers_zone(client):
    m = mentorship()
    m.mentee.profile.timezone = "Asia/Kolkata"
    m.mentee.profile.save()
    mt = meeting(m)
    local = mt.starts_at.astimezone(KOLKATA)
    client.force_login(m.mentee)
    html = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    shown = f"{local:%a} {local.day} {local:%b}" + (
        "" if local.year == datetime.now(KOLKATA).year else f" {local.year}"
    )
    assert f'<option value="{mt.pk}">{shown}, {local:%H:%M} IST</option>' in html
