"""Weekly availability: parse, merge, format, and convert local windows to UTC.

The one availability grammar of the participant record (:func:`parse_window`), and pure
functions over plain data (no database) for the profile form and API, the import,
``tandem match``, scheduling and the demo generator.

A *window* is ``Window(weekday, start, end)`` in the person's own time zone: ``weekday`` is
0 (Monday) .. 6 (Sunday), ``start``/``end`` are minutes after local midnight with
``0 <= start < end <= 1440``. A window that runs past midnight ("Fri 22:00-01:00") is split
into two windows, the second on the next day (Sunday wraps to Monday).

UTC availability is a sorted list of disjoint ``[start, end)`` *minute-of-week* intervals
(0 = Monday 00:00 UTC, 10080 = one week), computed with the real UTC offsets of one
reference week, so overlap between two people is an interval intersection.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from tandem.matching.records.cells import CellError

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

INVALID_WINDOW = "Write availability like “Mon 09:00-12:00” (weekday, start, end)."
INVALID_WEEKDAY = "“{day}” is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat or Sun."
INVALID_TIME = "“{value}” is not a time; use 24-hour HH:MM, e.g. 09:30."
EMPTY_WINDOW = "The window {text} is empty: the end must differ from the start."
AVAILABILITY_SHAPE = "Each window needs a weekday, a start and an end."
SEVERAL_WINDOWS = "Separate several windows with ';', e.g. Mon 09:00-12:00; Thu 18:00-20:00."

_DAY = r"[A-Za-z]+\.?"
_TIME = r"\d{1,2}(?::\d{2})?"
_WINDOW_RE = re.compile(
    rf"^\s*(?P<day>{_DAY})(?:\s*(?:-|–|—)\s*(?P<last>{_DAY}))?\s*,?\s+(?P<start>{_TIME})\s*"
    rf"(?:-|–|—|to)\s*(?P<end>{_TIME})\s*$"
)


class Window(NamedTuple):
    weekday: int
    start: int
    end: int

    def __str__(self) -> str:
        return format_window(self.weekday, self.start, self.end)


class AvailabilityError(CellError):
    """Raised for text that is not a window; the message says what to change."""


def parse_weekday(text: str) -> int:
    """A weekday's name or its first three or more letters: ``Mon``, ``Tues``, ``Thursday``.

    >>> parse_weekday("Tues."), parse_weekday("wednes")
    (1, 2)
    """
    key = text.strip().rstrip(".").lower()
    if len(key) >= 3:
        for index, name in enumerate(WEEKDAY_NAMES):
            if name.lower().startswith(key):
                return index
    raise AvailabilityError(INVALID_WEEKDAY.format(day=text.strip()))


def parse_time(text: str) -> int:
    """``"09:30"`` → 570. ``"24:00"`` is allowed (end of day); ``"9"`` means 09:00."""
    value = text.strip()
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", value)
    if not match:
        raise AvailabilityError(INVALID_TIME.format(value=value))
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise AvailabilityError(INVALID_TIME.format(value=value))
    return hours * 60 + minutes


def make_windows(weekday: int, start: int, end: int) -> list[Window]:
    """One window, or two when ``end <= start`` means it runs past midnight into the next day.

    ``end == 1440`` is midnight at the end of the day; ``end == 0`` is treated the same.
    """
    if not (0 <= weekday <= 6 and 0 <= start <= MINUTES_PER_DAY and 0 <= end <= MINUTES_PER_DAY):
        raise AvailabilityError(INVALID_WINDOW)
    if end == 0:
        end = MINUTES_PER_DAY
    if start == MINUTES_PER_DAY:
        start, weekday = 0, (weekday + 1) % 7
    if start == end:
        raise AvailabilityError(EMPTY_WINDOW.format(text=f"{WEEKDAYS[weekday]} {_hhmm(start)}"))
    if end > start:
        return [Window(weekday, start, end)]
    return [Window(weekday, start, MINUTES_PER_DAY), Window((weekday + 1) % 7, 0, end)]


def parse_window(text: str) -> list[Window]:
    """Parse ``"Mon 09:00-12:00"`` (or a run of days, ``"Mon-Fri 18:00-20:00"``) into windows.

    The one grammar for a person's availability, wherever it is typed: a weekday or a run of
    weekdays (a name or its first three or more letters), then a start and an end in 24-hour
    time (``9``, ``09:30``; ``24:00`` ends the day) joined by ``-``, a dash or ``to``. An end
    at or before the start runs past midnight into the next day.

    >>> parse_window("Mon 09:00-12:00")
    [Window(weekday=0, start=540, end=720)]
    >>> [str(w) for w in parse_window("sunday 22:30 - 01:00")]
    ['Sun 22:30-24:00', 'Mon 00:00-01:00']
    >>> [str(w) for w in parse_window("Sat-Mon 9-10")]
    ['Sat 09:00-10:00', 'Sun 09:00-10:00', 'Mon 09:00-10:00']
    """
    return list(_window_parts(text or ""))


@lru_cache(maxsize=4096)  # a file repeats a few thousand distinct windows across its rows
def _window_parts(text: str) -> tuple[Window, ...]:
    """Cached body of :func:`parse_window` (a tuple, so callers cannot change a hit)."""
    match = _WINDOW_RE.match(text)
    if not match:
        raise AvailabilityError(INVALID_WINDOW)
    first = parse_weekday(match.group("day"))
    last = parse_weekday(match.group("last")) if match.group("last") else first
    start, end = parse_time(match.group("start")), parse_time(match.group("end"))
    days = (last - first) % 7 + 1
    return tuple(
        window
        for offset in range(days)
        for window in make_windows((first + offset) % 7, start, end)
    )


def parse_windows(texts: Iterable[str]) -> list[Window]:
    """Parse several windows (blank entries skipped) and merge them.

    Raises ``AvailabilityError`` naming the first bad entry.
    """
    windows: list[Window] = []
    for text in texts:
        if not text or not text.strip():
            continue
        try:
            windows.extend(parse_window(text))
        except AvailabilityError as error:
            raise AvailabilityError(f"“{text.strip()}”: {error}") from None
    return merge_windows(windows)


def parse_availability(text: str) -> list[Window]:
    """A spreadsheet cell: windows separated by ``;``, merged.

    >>> format_windows(parse_availability("Mon 09:00-10:00; mon 10:00-11:00"))
    ['Mon 09:00-11:00']
    """
    try:
        return parse_windows(text.split(";"))
    except AvailabilityError as error:
        raise AvailabilityError(f"{error} {SEVERAL_WINDOWS}") from None


def check_availability(value: str | Iterable[str | Iterable[int]]) -> list[Window]:
    """Windows given as ``"Mon 09:00-12:00"`` texts (or one text of several lines) or as
    ``(weekday, start, end)`` triples, merged.

    >>> check_availability([(0, 540, 600), "Mon 10:00-11:00"])
    [Window(weekday=0, start=540, end=660)]
    """
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    windows: list[Window] = []
    try:
        for item in items:
            if isinstance(item, str):
                windows.extend(parse_windows([item]))
            else:
                windows.extend(make_windows(*(int(part) for part in item)))
    except AvailabilityError:
        raise
    except (TypeError, ValueError):
        raise AvailabilityError(AVAILABILITY_SHAPE) from None
    return merge_windows(windows)


def merge_windows(windows: Iterable[Window | tuple[int, int, int]]) -> list[Window]:
    """Sort and merge overlapping or touching windows of the same day.

    Windows never span days, so a Monday evening and the following Tuesday morning stay two
    windows even when they touch at midnight; ``to_utc_intervals`` joins them.

    >>> merge_windows([(0, 600, 720), (0, 540, 610), (0, 720, 780), (2, 0, 60)])
    [Window(weekday=0, start=540, end=780), Window(weekday=2, start=0, end=60)]
    """
    merged: list[Window] = []
    for weekday, start, end in sorted(Window(*w) for w in windows):
        if merged and merged[-1].weekday == weekday and start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Window(weekday, last.start, max(last.end, end))
        else:
            merged.append(Window(weekday, start, end))
    return merged


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_window(weekday: int, start: int, end: int) -> str:
    """``"Mon 09:00-12:00"``; the end of the day is written 24:00.

    >>> format_window(4, 1320, 1440)
    'Fri 22:00-24:00'
    """
    return f"{WEEKDAYS[weekday]} {_hhmm(start)}-{_hhmm(end)}"


def format_windows(windows: Iterable[Window | tuple[int, int, int]]) -> list[str]:
    return [format_window(*w) for w in windows]


def format_windows_joined(windows: Iterable[Window | tuple[int, int, int]]) -> list[str]:
    """Like ``format_windows`` but a window ending at midnight and the next day's window
    starting at midnight are written as one overnight window, as a person would type it.
    ``parse_windows`` reads the result back to the same windows.

    >>> format_windows_joined([(4, 1320, 1440), (5, 0, 60), (6, 1380, 1440), (0, 0, 30)])
    ['Fri 22:00-01:00', 'Sun 23:00-00:30']
    """
    merged = merge_windows(windows)
    by_start = {(w.weekday, w.start): i for i, w in enumerate(merged)}
    joined_into: dict[int, int] = {}  # index of a morning piece -> index of its evening
    for i, w in enumerate(merged):
        j = by_start.get(((w.weekday + 1) % 7, 0))
        if (
            w.end == MINUTES_PER_DAY
            and j is not None
            and j != i
            and j not in joined_into
            and i not in joined_into
            and merged[j].end < w.start
        ):
            joined_into[j] = i
    evenings = {i: j for j, i in joined_into.items()}
    texts = []
    for i, w in enumerate(merged):
        if i in joined_into:
            continue
        end = merged[evenings[i]].end if i in evenings else w.end
        texts.append(format_window(w.weekday, w.start, end))
    return texts


def merge_intervals(intervals: Iterable[tuple[int, int] | list[int]]) -> list[list[int]]:
    """Sort and merge ``[start, end)`` intervals; touching intervals join."""
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def week_start(reference_date: date) -> date:
    """The Monday of the week containing ``reference_date``."""
    return reference_date - timedelta(days=reference_date.weekday())


def _local_to_utc_minute(
    monday: date, weekday: int, minute: int, tz: zoneinfo.ZoneInfo, utc_monday: datetime
) -> int:
    local = datetime.combine(monday + timedelta(days=weekday), time(0), tzinfo=tz) + timedelta(
        minutes=minute
    )
    # Wall-clock arithmetic above keeps tzinfo; re-attach so the offset is the one in force at
    # that local time (zoneinfo resolves gaps with fold=0, i.e. the pre-transition offset).
    local = local.replace(tzinfo=tz)
    return int((local.astimezone(UTC) - utc_monday).total_seconds() // 60)


def to_utc_intervals(
    windows: Iterable[Window | tuple[int, int, int]],
    tz: str | zoneinfo.ZoneInfo,
    reference_date: date,
) -> list[list[int]]:
    """Local weekly windows → merged ``[start, end)`` UTC minute-of-week intervals.

    The offsets are those in force on each day of the week (Monday..Sunday) that contains
    ``reference_date``, so a week with a DST change is converted day by day. Intervals that
    fall before Monday 00:00 UTC or after Sunday 24:00 UTC wrap around the week.

    >>> to_utc_intervals([(0, 540, 720)], "Europe/Berlin", date(2026, 1, 14))
    [[480, 660]]
    >>> to_utc_intervals([(0, 0, 60)], "Asia/Tokyo", date(2026, 1, 14))
    [[9540, 9600]]
    """
    zone = tz if isinstance(tz, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(tz)
    monday = week_start(reference_date)
    utc_monday = datetime.combine(monday, time(0), tzinfo=UTC)
    pieces: list[tuple[int, int]] = []
    for weekday, start, end in windows:
        utc_start = _local_to_utc_minute(monday, weekday, start, zone, utc_monday)
        utc_end = _local_to_utc_minute(monday, weekday, end, zone, utc_monday)
        if utc_end <= utc_start:  # only inside a DST gap; nothing real to offer
            continue
        shift = (utc_start // MINUTES_PER_WEEK) * MINUTES_PER_WEEK
        utc_start, utc_end = utc_start - shift, utc_end - shift
        if utc_end <= MINUTES_PER_WEEK:
            pieces.append((utc_start, utc_end))
        else:
            pieces.append((utc_start, MINUTES_PER_WEEK))
            pieces.append((0, utc_end - MINUTES_PER_WEEK))
    return merge_intervals(pieces)


def from_utc_intervals(
    intervals: Iterable[tuple[int, int] | list[int]],
    tz: str | zoneinfo.ZoneInfo,
    reference_date: date,
) -> list[Window]:
    """UTC minute-of-week intervals → local windows in ``tz`` (e.g. to show someone's
    availability in the viewer's time zone). Inverse of ``to_utc_intervals`` for weeks
    without a DST change.

    >>> format_windows(from_utc_intervals([[9540, 9600]], "Asia/Tokyo", date(2026, 1, 14)))
    ['Mon 00:00-01:00']
    """
    zone = tz if isinstance(tz, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(tz)
    utc_monday = datetime.combine(week_start(reference_date), time(0), tzinfo=UTC)
    windows: list[Window] = []
    for start, end in merge_intervals(intervals):
        # Walk the interval day boundary by day boundary in local time.
        cursor = utc_monday + timedelta(minutes=start)
        stop = utc_monday + timedelta(minutes=end)
        while cursor < stop:
            local = cursor.astimezone(zone)
            next_midnight = datetime.combine(
                local.date() + timedelta(days=1), time(0), tzinfo=zone
            ).astimezone(UTC)
            piece_end = min(stop, next_midnight)
            local_start = local.hour * 60 + local.minute
            length = int((piece_end - cursor).total_seconds() // 60)
            local_end = min(local_start + length, MINUTES_PER_DAY)
            if piece_end == next_midnight:
                local_end = MINUTES_PER_DAY
            if local_end > local_start:
                windows.append(Window(local.weekday(), local_start, local_end))
            cursor = piece_end
    return merge_windows(windows)
