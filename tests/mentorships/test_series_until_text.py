"""Journeys review: a series scheduled by a mentor in Los Angeles up to the agreement's end,
30 June, read "part of a series (every 2 weeks, until 01/07/2027)" on the meeting page: the
RRULE's UNTIL (the end of the last day in the organiser's zone, in UTC) was shown as a UTC date,
and in a format no other page uses. It now reads "until 30 Jun 2027"."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest
from django.urls import reverse

from tests.mentorships.factories import series_from

pytestmark = pytest.mark.django_db

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def test_a_series_to_the_agreement_end_names_its_last_day_in_the_organisers_zone(client):
    start = datetime(2027, 5, 3, 16, 0, tzinfo=LOS_ANGELES)
    m, first = series_from(start, ends_on=date(2027, 6, 30), repeat="biweekly")
    assert "UNTIL=20270701T" in first.series.rrule  # the end of 30 June there, in UTC
    client.force_login(m.mentee)
    html = client.get(reverse("meeting_detail", args=[first.pk])).content.decode()
    assert "part of a series (every 2 weeks, until 30 Jun 2027)" in html
