"""Issue 8, item 8 ("Dates vanish"): a form opened and saved untouched changes nothing.

Under ``en-gb`` the date inputs rendered ``15/01/2027``; the browser dropped that value, so
saving the program edit form untouched erased the program's dates, the suggested meeting
times filled only the time, and the reschedule form lost the date. Each test renders the page,
posts back exactly what a browser would send, and checks that nothing was lost.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships.models import Meeting
from tandem.programs.models import Program, Role
from tests.mentorships.factories import availability, meeting, member, mentorship
from tests.web.untouched import untouched

pytestmark = pytest.mark.django_db

PROGRAM_FIELDS = [
    "name",
    "description",
    "program_type",
    "matching_mode",
    "starts_on",
    "ends_on",
    "default_duration_weeks",
    "default_cadence",
    "default_capacity",
    "max_open_requests",
    "request_expiry_days",
    "weights",
    "avoid_manager",
    "avoid_same_department",
]


def _snapshot(program: Program) -> dict:
    program.refresh_from_db()
    return {name: getattr(program, name) for name in PROGRAM_FIELDS if hasattr(program, name)}


def test_program_edit_form_saved_untouched_keeps_the_dates(client):
    m = mentorship()
    program = m.program
    program.starts_on, program.ends_on = date(2027, 1, 15), date(2027, 6, 30)
    program.save()
    admin = member(program, Role.ADMIN)
    client.force_login(admin)
    url = reverse("program_edit", args=[program.slug])
    before = _snapshot(program)
    page = client.get(url)
    data, rejected = untouched(page.content.decode(), has_field="starts_on")
    assert rejected == []
    assert data["starts_on"] == ["2027-01-15"] and data["ends_on"] == ["2027-06-30"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    assert _snapshot(program) == before


def test_suggested_time_fills_date_and_time_and_is_scheduled_as_suggested(client, settings):
    m = mentorship()
    for person in (m.mentor, m.mentee):
        availability(person, *[(day, 9 * 60, 17 * 60) for day in range(7)])
    client.force_login(m.mentee)
    url = reverse("meeting_new", args=[m.pk])
    page = client.get(url)
    suggestion = page.context["suggestions"][0]
    link = re.search(r'href="(\?at=[^"]+)"', page.content.decode()).group(1)  # as rendered
    page = client.get(url + html.unescape(link))
    data, rejected = untouched(page.content.decode(), has_field="date")
    assert rejected == []
    local = timezone.localtime(suggestion)
    assert data["date"] == [local.date().isoformat()]
    assert data["time"] == [local.strftime("%H:%M")]
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    first = Meeting.objects.filter(mentorship=m).order_by("starts_at").first()
    assert first.starts_at == suggestion


@pytest.mark.parametrize("seconds", [0, 27])
def test_reschedule_form_saved_untouched_changes_nothing(client, seconds):
    m = mentorship()
    found = meeting(m, in_hours=72)
    found.starts_at = found.starts_at.replace(second=seconds, microsecond=0)
    found.save()
    found.refresh_from_db()
    before = (found.starts_at, found.duration_minutes, found.sequence)
    client.force_login(m.mentor)
    url = reverse("meeting_reschedule", args=[found.pk])
    data, rejected = untouched(client.get(url).content.decode(), has_field="date")
    assert rejected == []
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    found.refresh_from_db()
    assert (found.starts_at, found.duration_minutes, found.sequence) == before


def test_agreement_form_saved_untouched_keeps_the_dates(client):
    m = mentorship()
    client.force_login(m.mentor)
    url = reverse("agreement_edit", args=[m.pk])
    data, rejected = untouched(client.get(url).content.decode(), has_field="starts_on")
    assert rejected == []
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    latest = m.agreement_versions.order_by("-number").first()
    assert latest.content["starts_on"] == m.starts_on.isoformat()
    assert latest.content["ends_on"] == m.ends_on.isoformat()
    assert date.fromisoformat(latest.content["ends_on"]) - m.starts_on > timedelta(days=1)
