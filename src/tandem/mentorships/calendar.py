"""RFC 5545 output: one ``.ics`` per meeting and a private feed per person.

- A single meeting is a VEVENT with UTC times (``Z``), UID ``meeting-<id>@tandem``.
- A series is one VEVENT (UID ``series-<id>@tandem``) with its RRULE, DTSTART in the
  organiser's zone (TZID + VTIMEZONE, so it repeats at the same wall-clock time through DST),
  and an EXDATE for every occurrence that was cancelled or moved; a moved occurrence is its own
  VEVENT (``meeting-<id>@tandem``). The VTIMEZONE's rules cover every occurrence of the
  series (icalendar's own stop in 2038, so a client read a summer 2038 occurrence an hour off).
- Cancelled single meetings stay in the feed with ``STATUS:CANCELLED`` so calendar apps remove
  them; SEQUENCE goes up with every change. A meeting one of the pair marked as not taken
  place is called off the same way (``STATUS:CANCELLED``, or an EXDATE in its series).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from tandem.mentorships.models import Meeting, MeetingSeries, MeetingStatus
from tandem.notify.services import absolute_url

PRODID = "-//Tandem//Mentorships//EN"
# Meetings that leave calendars: cancelled, or marked as not taken place.
CALLED_OFF = (MeetingStatus.CANCELLED, MeetingStatus.MISSED)
# icalendar's default span of a VTIMEZONE's rules; a series outside it widens it.
ZONE_RULES_FROM = date(1970, 1, 1)
ZONE_RULES_UNTIL = date(2038, 1, 1)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _summary(mentorship) -> str:
    return f"Mentoring: {mentorship.mentor.display_name} & {mentorship.mentee.display_name}"


def _describe(event: Event, *, mentorship, video_url: str, location: str) -> None:
    page = absolute_url(f"/mentorships/{mentorship.pk}/")
    lines = []
    if video_url:
        lines.append(f"Join: {video_url}")
    lines.append(f"Agenda and notes: {page}")
    event.add("summary", _summary(mentorship))
    event.add("description", "\n".join(lines))
    event.add("url", page)
    if video_url or location:
        event.add("location", location or video_url)


def meeting_event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@tandem")
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(zoneinfo.ZoneInfo("UTC")))
    event.add("dtend", meeting.ends_at.astimezone(zoneinfo.ZoneInfo("UTC")))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.status in CALLED_OFF else "CONFIRMED")
    _describe(
        event, mentorship=meeting.mentorship, video_url=meeting.video_url, location=meeting.location
    )
    return event


def series_event(series: MeetingSeries, occurrences: Iterable[Meeting]) -> Event:
    zone = zoneinfo.ZoneInfo(series.timezone)
    occurrences = list(occurrences)
    event = Event()
    event.add("uid", f"series-{series.pk}@tandem")
    event.add("dtstamp", series.created_at or timezone.now())
    start = series.starts_at.astimezone(zone)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=series.duration_minutes))
    event.add("rrule", vRecur.from_ical(series.rrule))
    excluded = sorted(
        m.original_start.astimezone(zone)
        for m in occurrences
        if m.original_start and (m.status in CALLED_OFF or m.starts_at != m.original_start)
    )
    for moment in excluded:
        event.add("exdate", moment)
    everything_cancelled = bool(occurrences) and all(m.status in CALLED_OFF for m in occurrences)
    event.add("sequence", series.sequence)
    event.add("status", "CANCELLED" if everything_cancelled else "CONFIRMED")
    _describe(
        event, mentorship=series.mentorship, video_url=series.video_url, location=series.location
    )
    return event


def _moved(occurrences: Iterable[Meeting]) -> list[Meeting]:
    return [m for m in occurrences if m.is_moved_occurrence]


def _series_moments(occurrences: Iterable[Meeting]) -> list[datetime]:
    """Every moment a series' VEVENT names in its zone: the occurrences and their EXDATEs."""
    return [moment for m in occurrences for moment in (m.starts_at, m.original_start) if moment]


def _finish(calendar: Calendar, moments: Iterable[datetime] = ()) -> bytes:
    """The calendar with a VTIMEZONE for each zone it names, its rules spanning ``moments``
    (a year of margin each side) as well as icalendar's default 1970 to 2038."""
    days = [moment.date() for moment in moments]
    calendar.add_missing_timezones(
        first_date=min([ZONE_RULES_FROM, *(day - timedelta(days=366) for day in days)]),
        last_date=max([ZONE_RULES_UNTIL, *(day + timedelta(days=366) for day in days)]),
    )
    return calendar.to_ical()


def meeting_ics(meeting: Meeting) -> bytes:
    """A meeting's download: the whole series (with its RRULE) when it is an unmoved
    occurrence, otherwise the single event."""
    calendar = _calendar("Tandem meeting")
    occurrences: list[Meeting] = []
    # The series is fetched only for an unmoved occurrence (a moved one is its own event).
    if not meeting.is_moved_occurrence and (series := meeting.series) is not None:
        occurrences = list(series.occurrences.all())
        calendar.add_component(series_event(series, occurrences))
        for moved in _moved(occurrences):
            moved.mentorship = meeting.mentorship
            calendar.add_component(meeting_event(moved))
    else:
        calendar.add_component(meeting_event(meeting))
    return _finish(calendar, _series_moments(occurrences))


def feed_ics(*, series: list[MeetingSeries], meetings: list[Meeting]) -> bytes:
    calendar = _calendar("Tandem mentoring")
    moments: list[datetime] = []
    for one in series:
        occurrences = list(one.occurrences.all())
        calendar.add_component(series_event(one, occurrences))
        moments += _series_moments(occurrences)
    for meeting in meetings:
        if meeting.series_id and not meeting.is_moved_occurrence:
            continue
        calendar.add_component(meeting_event(meeting))
    return _finish(calendar, moments)
