"""Time arithmetic for meetings: recurrence rules (RFC 5545) and suggested times inside both
people's weekly availability, computed on real dates with zoneinfo so DST is right.

Pure functions over plain data, apart from ``zone_of``.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from dateutil.rrule import rrulestr

from tandem.core.templatetags.readable_dates import day_in
from tandem.matching.records.availability import MINUTES_PER_DAY, Window, merge_windows

RRULE_BY_CADENCE = {
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "quarterly": "FREQ=MONTHLY;INTERVAL=3",
}
MAX_OCCURRENCES = 52
SLOT_STEP_MINUTES = 30

Interval = tuple[datetime, datetime]
Moment = TypeVar("Moment", datetime, int)


def zone_of(user) -> zoneinfo.ZoneInfo:
    profile = getattr(user, "profile", None) if user is not None else None
    try:
        return zoneinfo.ZoneInfo(getattr(profile, "timezone", None) or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def rrule_for(cadence: str, *, count: int | None = None, until: datetime | None = None) -> str:
    """The RRULE value for a cadence, bounded by ``COUNT`` or ``UNTIL`` (UTC).

    >>> rrule_for("biweekly", count=6)
    'FREQ=WEEKLY;INTERVAL=2;COUNT=6'
    >>> rrule_for("quarterly", until=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    'FREQ=MONTHLY;INTERVAL=3;UNTIL=20261231T235959Z'
    """
    rule = RRULE_BY_CADENCE[cadence]
    if count is not None:
        return f"{rule};COUNT={count}"
    if until is not None:
        return f"{rule};UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return rule


_SERIES_RULE = re.compile(
    "(?:{})(?:;COUNT=[1-9][0-9]{{0,2}}|;UNTIL=[0-9]{{8}}T[0-9]{{6}}Z)?".format(
        "|".join(map(re.escape, RRULE_BY_CADENCE.values()))
    )
)


def is_series_rule(rule: str) -> bool:
    """Whether ``rule`` is one :func:`rrule_for` writes (a cadence, then COUNT or a UTC UNTIL
    that is a real moment): what the calendar files and pages can read back.

    >>> is_series_rule("FREQ=WEEKLY;INTERVAL=2;COUNT=6"), is_series_rule("FREQ=SECONDLY")
    (True, False)
    >>> is_series_rule("FREQ=MONTHLY;UNTIL=20261331T000000Z")
    False
    """
    if not _SERIES_RULE.fullmatch(rule):
        return False
    try:
        rrulestr(rule, dtstart=datetime(2000, 1, 1, tzinfo=UTC))
    except ValueError:
        return False
    return True


NO_SUCH_TIME = (
    "{time} does not exist on {day} in {zone}: clocks go forward {gap}; pick another time."
)
TWICE = (
    "{time} happens twice on {day} in {zone} (clocks go back {gap}): the meeting is at the "
    "first, {time} {name} (UTC{offset}), before the clocks go back."
)
MOVED_BY_CLOCK_CHANGE = (
    "{time} does not exist on {day} in {zone} (clocks go forward {gap}), so this meeting of "
    "the series is at {moved} there instead."
)


class NoSuchLocalTime(ValueError):
    """A wall-clock time the clocks skip that day in that zone (spring forward)."""


def _day_text(day: date) -> str:
    return day_in(day)


def _gap_text(wall: datetime, zone: zoneinfo.ZoneInfo) -> str:
    first, second = (wall.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1))
    assert first is not None and second is not None  # a ZoneInfo always has an offset
    minutes = abs(second - first) // timedelta(minutes=1)
    return "an hour" if minutes == 60 else f"{minutes} minutes"


def _exists(wall: datetime, zone: zoneinfo.ZoneInfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def local_moment(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """``day`` at ``at`` on the clocks of ``zone``, as an aware datetime.

    A time the clocks skip that day (they go forward) raises ``NoSuchLocalTime`` saying so,
    rather than becoming the hour after it (what attaching the zone gives). A time they show
    twice (they go back) is the first of the two, fold 0: see ``twice_note``.

    >>> berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    >>> local_moment(date(2026, 3, 29), time(2, 30), berlin)
    Traceback (most recent call last):
    ...
    tandem.mentorships.scheduling.NoSuchLocalTime: 02:30 does not exist on 29 Mar 2026 in \
Europe/Berlin: clocks go forward an hour; pick another time.
    >>> local_moment(date(2026, 10, 25), time(2, 30), berlin).isoformat()
    '2026-10-25T02:30:00+02:00'
    """
    wall = datetime.combine(day, at)
    if not _exists(wall, zone):
        raise NoSuchLocalTime(
            NO_SUCH_TIME.format(
                time=f"{at:%H:%M}", day=_day_text(day), zone=zone.key, gap=_gap_text(wall, zone)
            )
        )
    return wall.replace(tzinfo=zone, fold=0)


def twice_note(moment: datetime, zone: zoneinfo.ZoneInfo) -> str | None:
    """What to tell someone who chose ``moment`` when its time shows twice that day in
    ``zone`` (the clocks go back): which of the two it is. None for any other time."""
    local = moment.astimezone(zone)
    wall = local.replace(tzinfo=None)
    if (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        == wall.replace(tzinfo=zone, fold=1).utcoffset()
    ):
        return None
    offset = local.strftime("%z")
    return TWICE.format(
        time=f"{wall:%H:%M}",
        day=_day_text(wall.date()),
        zone=zone.key,
        gap=_gap_text(wall, zone),
        name=local.tzname(),
        offset=f"{offset[:3]}:{offset[3:]}",
    )


def moved_by_clock_change(
    moment: datetime, *, series_start: datetime, zone: zoneinfo.ZoneInfo
) -> str | None:
    """Why an occurrence of a series repeating in ``zone`` from ``series_start`` is not at the
    series' time of day: that time did not exist on its day (``expand`` moves it on by the
    clocks' jump). None when it is at the series' time.

    >>> berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    >>> first = datetime(2026, 3, 22, 2, 30, tzinfo=berlin)
    >>> moved_by_clock_change(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), series_start=first,
    ...                       zone=berlin)
    '02:30 does not exist on 29 Mar 2026 in Europe/Berlin (clocks go forward an hour), so \
this meeting of the series is at 03:30 there instead.'
    """
    local = moment.astimezone(zone)
    meant = series_start.astimezone(zone).time()
    wall = datetime.combine(local.date(), meant)
    if local.time() == meant or _exists(wall, zone):
        return None
    return MOVED_BY_CLOCK_CHANGE.format(
        time=f"{meant:%H:%M}",
        day=_day_text(local.date()),
        zone=zone.key,
        gap=_gap_text(wall, zone),
        moved=f"{local:%H:%M}",
    )


def expand(
    rule: str, *, starts_at: datetime, zone: zoneinfo.ZoneInfo, limit: int = MAX_OCCURRENCES
) -> list[datetime]:
    """Occurrences (UTC) of ``rule`` starting at ``starts_at``, repeating at the same wall-clock
    time in ``zone`` (so a 09:00 London meeting stays at 09:00 across the clock change).

    >>> zone = zoneinfo.ZoneInfo("Europe/London")
    >>> start = datetime(2026, 3, 23, 9, 0, tzinfo=zone).astimezone(UTC)
    >>> [d.strftime("%m-%d %H:%M") for d in expand("FREQ=WEEKLY;COUNT=2", starts_at=start,
    ...                                             zone=zone)]
    ['03-23 09:00', '03-30 08:00']
    """
    local_start = starts_at.astimezone(zone)
    occurrences = []
    for occurrence in rrulestr(rule, dtstart=local_start):
        # dateutil steps in wall-clock time; re-attach the zone for the offset in force then.
        occurrences.append(occurrence.replace(tzinfo=zone).astimezone(UTC))
        if len(occurrences) >= limit:
            break
    return occurrences


def availability_on_dates(
    windows: Iterable[tuple[int, int, int]], zone: zoneinfo.ZoneInfo, start: datetime, end: datetime
) -> list[Interval]:
    """The weekly local windows as concrete UTC intervals between ``start`` and ``end``."""
    merged = merge_windows(Window(*w) for w in windows)
    if not merged:
        return []
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    intervals: list[Interval] = []
    day = first
    while day <= last:
        for window in merged:
            if window.weekday != day.weekday():
                continue
            low = _local(day, window.start, zone)
            high = _local(day, window.end, zone)
            low, high = max(low, start), min(high, end)
            if high > low:
                intervals.append((low, high))
        day += timedelta(days=1)
    return _merge(intervals)


def _local(day: date, minute: int, zone: zoneinfo.ZoneInfo) -> datetime:
    if minute >= MINUTES_PER_DAY:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def intersect(
    a: Sequence[tuple[Moment, Moment]], b: Sequence[tuple[Moment, Moment]]
) -> list[tuple[Moment, Moment]]:
    """The common parts of two sorted, merged lists of ``[start, end)`` intervals (datetimes,
    or minutes of the week)."""
    i = j = 0
    common: list[tuple[Moment, Moment]] = []
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if high > low:
            common.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return common


def _round_up(moment: datetime, step: int) -> datetime:
    moment = moment.replace(second=0, microsecond=0) + (
        timedelta(minutes=1) if moment.second or moment.microsecond else timedelta(0)
    )
    remainder = moment.minute % step
    return moment + timedelta(minutes=(step - remainder) % step)


# The most start times suggested: the API answers them as one bounded list, not pages.
SUGGESTIONS_MAX = 8


def suggest_times(
    *,
    windows_a: Iterable[tuple[int, int, int]],
    zone_a: zoneinfo.ZoneInfo,
    windows_b: Iterable[tuple[int, int, int]],
    zone_b: zoneinfo.ZoneInfo,
    now: datetime,
    duration_minutes: int,
    weeks: int = 3,
    limit: int = SUGGESTIONS_MAX,
    per_overlap: int = 2,
) -> list[datetime]:
    """Start times (UTC) in the coming ``weeks`` when both people are available for
    ``duration_minutes``; at most ``per_overlap`` per shared window, earliest first."""
    end = now + timedelta(weeks=weeks)
    common = intersect(
        availability_on_dates(windows_a, zone_a, now, end),
        availability_on_dates(windows_b, zone_b, now, end),
    )
    length = timedelta(minutes=duration_minutes)
    suggestions: list[datetime] = []
    for low, high in common:
        slot = _round_up(low, SLOT_STEP_MINUTES)
        taken = 0
        while slot + length <= high and taken < per_overlap:
            suggestions.append(slot)
            taken += 1
            slot += max(length, timedelta(minutes=60))
        if len(suggestions) >= limit:
            break
    return suggestions[:limit]
