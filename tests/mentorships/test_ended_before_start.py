"""Journeys review: the admin's list of a program's mentorships read "7 Dec 2026 – 30 Jun 2027
· Ended 6 Dec 2026" for a pair that ended before its agreed start. It now says so plainly, as
does the ending card on the mentorship's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships import services
from tandem.mentorships.models import Mentorship
from tests.mentorships.factories import mentorship, non_participants

pytestmark = pytest.mark.django_db


def _ended(*, starts_in_days: int):
    m = mentorship()
    start = timezone.localdate() + timedelta(days=starts_in_days)
    Mentorship.objects.filter(pk=m.pk).update(starts_on=start)
    cast = non_participants(m)
    services.mentorship_end_early(user=m.mentee, mentorship_id=m.pk, reason="Moving teams")
    return Mentorship.objects.get(pk=m.pk), cast


def test_an_end_before_the_start_is_said_plainly(client):
    m, cast = _ended(starts_in_days=3)
    assert m.ended_before_start
    client.force_login(cast["admin"])
    listing = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
    ended, start = (f"{d.day} {d:%b %Y}" for d in (timezone.localdate(m.ended_at), m.starts_on))
    by = m.mentee.display_name
    assert f"{ended} by {by}, before its start on {start}" in listing
    client.force_login(m.mentee)
    page = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    assert f"Ended early by {by} on {ended}, before its start on {start}." in page


def test_an_end_after_the_start_says_nothing_of_it(client):
    m, cast = _ended(starts_in_days=0)
    assert not m.ended_before_start
    client.force_login(cast["admin"])
    listing = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
    assert "before its start" not in listing
