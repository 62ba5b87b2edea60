"""Live review: a series' ``.ics`` carried a VTIMEZONE whose rules stopped at 2038 (icalendar's
default span), so calendar clients put its occurrences after that an hour off in summer. The
rules now cover every occurrence of the series, in the download and in the feed."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from tandem.mentorships import calendar as ics
from tests.mentorships.factories import series_from

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _series_into_2038():
    start = datetime(2037, 12, 1, 10, 0, tzinfo=BERLIN)
    return series_from(start, ends_on=date(2039, 1, 1), repeat="monthly", count=12)


def _as_a_client_reads_it(data: bytes) -> list[datetime]:
    """The series' occurrences in UTC as a calendar client gets them: by the VTIMEZONE's own
    rules (not by looking its TZID up), expanding the RRULE from DTSTART."""
    calendar = Calendar.from_ical(data)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz(lookup_tzid=False)
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("series-"))
    local = event.decoded("DTSTART").replace(tzinfo=None)
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=local)
    return [moment.replace(tzinfo=zone).astimezone(UTC) for moment in rule]


def test_a_series_into_summer_2038_reads_right_from_its_download():
    m, first = _series_into_2038()
    stored = sorted(o.starts_at for o in first.series.occurrences.all())
    read = _as_a_client_reads_it(ics.meeting_ics(first))
    assert read == stored
    june = datetime(2038, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Berlin, summer time
    assert june in read
    assert b"2038-01-01" not in ics.meeting_ics(first)  # no "only works until 2038" comment


def test_a_series_into_summer_2038_reads_right_in_the_feed():
    m, first = _series_into_2038()
    stored = sorted(o.starts_at for o in first.series.occurrences.all())
    data = ics.feed_ics(series=[first.series], meetings=[])
    assert _as_a_client_reads_it(data) == stored
