"""Journeys review: the admin's list of a program's mentorships read "7 Dec 2026 – 30 Jun 2027
· Ended 6 Dec 2026" for a pair that ended before its agreed start. It now says so plainly, as
does the ending card on the mentorship's page; and (ui review) so do the page's header and the
participant's list, which still showed the agreed dates as if the mentorship had run them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships import services
from tandem.mentorships.models import Mentorship
from tandem.mentorships.models.mentorships import EndCategory
from tests.mentorships.factories import mentorship, non_participants

pytestmark = pytest.mark.django_db


def _ended(*, starts_in_days: int, category: str = EndCategory.SCHEDULE):
    m = mentorship()
    start = timezone.localdate() + timedelta(days=starts_in_days)
    Mentorship.objects.filter(pk=m.pk).update(starts_on=start, ends_on=start + timedelta(days=180))
    cast = non_participants(m)
    services.mentorship_end_early(
        user=m.mentee, mentorship_id=m.pk, reason="Moving teams", category=category
    )
    return Mentorship.objects.get(pk=m.pk), cast


def _text(client, name: str, *args) -> str:
    return client.get(reverse(name, args=args)).content.decode()


def _readable(day) -> str:
    return f"{day.day} {day:%b %Y}"


def test_an_end_before_the_start_is_said_plainly(client):
    m, cast = _ended(starts_in_days=3)
    assert m.ended_before_start
    ended, start = _readable(timezone.localdate(m.ended_at)), _readable(m.starts_on)
    agreed = f"{start} – {_readable(m.ends_on)}"
    instead = f"Ended {ended}, before its start on {start}"
    client.force_login(cast["admin"])
    listing = _text(client, "program_mentorships", m.program_id)
    assert instead in listing and agreed not in listing
    # Free to wrap, unlike a date range: kept on one line it squeezed the names at 1280 px.
    assert f'<td data-label="Dates">{instead}</td>' in listing
    client.force_login(m.mentee)
    page = _text(client, "mentorship_detail", m.pk)
    by = m.mentee.display_name
    assert f"Ended early by {by} on {ended}, before its start on {start}." in page
    assert f"· {instead}</span>" in page and agreed not in page  # the header
    own_list = _text(client, "mentorship_list")
    assert f'<td data-label="Dates">{instead}</td>' in own_list and agreed not in own_list


def test_an_end_after_the_start_says_nothing_of_it(client):
    m, cast = _ended(starts_in_days=0)
    assert not m.ended_before_start
    agreed = f"{_readable(m.starts_on)} – {_readable(m.ends_on)}"
    client.force_login(cast["admin"])
    listing = _text(client, "program_mentorships", m.program_id)
    assert "before its start" not in listing and agreed in listing
    client.force_login(m.mentee)
    assert agreed in _text(client, "mentorship_list")
    assert agreed in _text(client, "mentorship_detail", m.pk)


def test_something_else_reads_as_its_note(client):
    """UI review: "Something else. Moving teams" on the page and the admin's list."""
    m, cast = _ended(starts_in_days=0, category=EndCategory.OTHER)
    assert m.end_reason_text == "Something else: Moving teams"
    for reader, page in (
        (cast["admin"], ("program_mentorships", m.program_id)),
        (cast["admin"], ("mentorship_detail", m.pk)),
        (m.mentee, ("mentorship_detail", m.pk)),
    ):
        client.force_login(reader)
        text = _text(client, *page)
        assert "Something else: Moving teams" in text and "Something else. " not in text
