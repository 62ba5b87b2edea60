"""Journeys review: the "From meeting" choice of the action-item form listed meetings as
"14 Dec 2026 18:00", naming no zone in a pair that often lives in two, unlike every other
time on the page. It now reads as they do: "Mon 14 Dec, 18:00 IST"."""

from __future__ import annotations

import re
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


def test_a_cancelled_meeting_is_not_offered_but_a_form_already_naming_it_still_saves(client):
    """Journeys review: cancelled meetings were offered as the source of a new action item.
    They are left out, except as the form's own current choice: a form opened before the
    meeting was cancelled saves untouched."""
    from tandem.mentorships.models import ActionItem, MeetingStatus

    m = mentorship()
    kept = meeting(m)
    gone = meeting(m, in_hours=72, status=MeetingStatus.CANCELLED)
    client.force_login(m.mentee)
    html = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    select = re.search(r'<select name="meeting".*?</select>', html, re.S)
    assert select is not None
    assert f'<option value="{kept.pk}">' in select.group()
    assert f'<option value="{gone.pk}"' not in select.group()

    response = client.post(
        reverse("action_item_add", args=[m.pk]),
        {"description": "Send the outline", "owner": m.mentee_id, "meeting": gone.pk},
    )
    assert response.status_code == 302
    assert ActionItem.objects.get(mentorship=m).meeting_id == gone.pk
