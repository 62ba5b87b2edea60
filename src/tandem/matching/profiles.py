"""Typed participant records and the parsers for their fields.

A :class:`Mentee` and a :class:`Mentor` share every field of :class:`Person`; the mentee adds
``goals`` and ``skills_wanted``, the mentor ``expertise``, ``skills_offered`` and ``capacity``.
An empty field means "no preference". The parsers raise ``ValueError`` with one of the message
constants below, so ``io`` can turn them into row errors and tests can assert on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

FORMATS = ("virtual", "in_person", "any")
CADENCES = ("weekly", "biweekly", "monthly", "quarterly")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SLOT_MINUTES = 15
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES  # 672
WORDS_PER_WEEK = -(-SLOTS_PER_WEEK // 64)  # 11 uint64 words
# Local windows are converted to UTC on the dates of this fixed Monday-to-Sunday week, so the
# same input always gives the same overlap (daylight saving time follows these dates).
REFERENCE_MONDAY = datetime(2026, 1, 5)  # noqa: DTZ001 - a wall-clock date, zoned per person

BAD_TIMEZONE = "unknown time zone {value!r}: use an IANA name such as Europe/Berlin"
BAD_WINDOW = (
    "bad availability window {value!r}: write a day and a time range, e.g. 'Mon 09:00-12:00'"
)
EMPTY_WINDOW = "availability window {value!r} is empty: the end equals the start"
BAD_FORMAT = "format must be one of virtual, in_person, any (got {value!r})"
BAD_CADENCE = "cadence must be one of weekly, biweekly, monthly, quarterly (got {value!r})"
BAD_SENIORITY = "seniority must be a number from 0 to 10 (got {value!r})"
BAD_CAPACITY = "capacity must be a whole number >= 0 (got {value!r})"
BAD_BOOL = "expected true or false (got {value!r})"
BAD_STYLE = "working_style must look like 'structure=4;pace=3' with values 1-5 (got {value!r})"
BAD_LANGUAGE = "language {value!r} is not a two-letter ISO 639-1 code"
# Bound for the caches of the cell parsers below: a large file repeats a few thousand distinct
# cells (windows, language lists, style strings) across its rows, so hits dominate.
PARSE_CACHE_SIZE = 4096

_WINDOW_RE = re.compile(
    r"^\s*(?P<d1>[A-Za-z]+)(?:\s*-\s*(?P<d2>[A-Za-z]+))?\s+"
    r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*$"
)


@dataclass(frozen=True, kw_only=True)
class Person:
    """Fields both sides share. Empty values mean "no preference"."""

    id: str
    name: str = ""
    seniority: float | None = None
    languages: tuple[str, ...] = ()
    timezone: str = ""
    availability: tuple[str, ...] = ()
    format: str = ""
    city: str = ""
    cadence: str = ""
    department: str = ""
    identity: tuple[str, ...] = ()
    prefer_shared_identity: bool = False
    exclude: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    email: str = ""
    working_style: dict[str, int] = field(default_factory=dict)
    manager: str = ""

    def __post_init__(self):
        check_person(self)


@dataclass(frozen=True, kw_only=True)
class Mentee(Person):
    """A person looking for a mentor.

    Examples
    --------
    >>> Mentee(id="a", goals="learn SQL", skills_wanted=("sql",)).skills_wanted
    ('sql',)
    """

    goals: str = ""
    skills_wanted: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.goals

    @property
    def skills(self) -> tuple[str, ...]:
        return self.skills_wanted


@dataclass(frozen=True, kw_only=True)
class Mentor(Person):
    """A person offering mentoring to up to ``capacity`` mentees.

    Examples
    --------
    >>> Mentor(id="m", expertise="SQL tuning", capacity=2).capacity
    2
    """

    expertise: str = ""
    skills_offered: tuple[str, ...] = ()
    capacity: int = 1

    @property
    def text(self) -> str:
        return self.expertise

    @property
    def skills(self) -> tuple[str, ...]:
        return self.skills_offered

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int):
            raise ValueError(BAD_CAPACITY.format(value=self.capacity))
        if self.capacity < 0:
            raise ValueError(BAD_CAPACITY.format(value=self.capacity))


def check_person(person: Person) -> None:
    """Validate a record built in Python (CSV input is checked field by field in ``io``)."""
    if not person.id:
        raise ValueError("id must not be empty")
    if person.timezone:
        check_timezone(person.timezone)
    for window in person.availability:
        check_window(window)
    if person.format and person.format not in FORMATS:
        raise ValueError(BAD_FORMAT.format(value=person.format))
    if person.cadence and person.cadence not in CADENCES:
        raise ValueError(BAD_CADENCE.format(value=person.cadence))
    if person.seniority is not None and not 0 <= person.seniority <= 10:
        raise ValueError(BAD_SENIORITY.format(value=person.seniority))
    for value in person.working_style.values():
        if not 1 <= value <= 5:
            raise ValueError(BAD_STYLE.format(value=person.working_style))


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def split_list(value: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell, dropping blanks.

    >>> split_list(" sql; Python ;;")
    ('sql', 'Python')
    """
    return tuple(filter(None, map(str.strip, (value or "").split(";"))))


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def normalise_tag(tag: str) -> str:
    """Skills and identity tags compare case- and space-insensitively.

    >>> normalise_tag("  Machine   Learning ")
    'machine learning'
    """
    return " ".join(tag.lower().split())


def check_timezone(name: str) -> ZoneInfo:
    """Return the zone, or raise ``ValueError(BAD_TIMEZONE)``.

    >>> check_timezone("Europe/Berlin").key
    'Europe/Berlin'
    """
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(BAD_TIMEZONE.format(value=name)) from None


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    if not name or name != name.strip():
        raise ValueError(name)
    return ZoneInfo(name)


def parse_window(text: str) -> list[tuple[int, int, int]]:
    """Parse ``'Mon 09:00-12:00'`` (or ``'Mon-Fri 18:00-20:00'``) into local windows.

    Returns a list of ``(day, start_minute, end_minute)`` with ``day`` 0 for Monday; an end at
    or before the start wraps past midnight into the next day.

    >>> parse_window("Fri 22:00-01:00")
    [(4, 1320, 1500)]
    >>> parse_window("mon-tue 9:00-10:30")
    [(0, 540, 630), (1, 540, 630)]
    """
    return list(_window_parts(text))


def check_window(text: str) -> None:
    """Raise what :func:`parse_window` raises for a bad window, without building its list.

    ``io`` checks each window of a row and the record checks them again when built; both are
    cache lookups after the first sight of a window.
    """
    _window_parts(text)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _window_parts(text: str) -> tuple[tuple[int, int, int], ...]:
    """Cached body of :func:`parse_window` (a tuple, so hits cannot be changed by callers)."""
    match = _WINDOW_RE.match(text or "")
    if not match:
        raise ValueError(BAD_WINDOW.format(value=text))
    first, last = _day(match["d1"], text), _day(match["d2"] or match["d1"], text)
    start = _minute(match["h1"], match["m1"], text)
    end = _minute(match["h2"], match["m2"], text)
    if end == start:
        raise ValueError(EMPTY_WINDOW.format(value=text))
    if end < start:
        end += 24 * 60
    days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
    return tuple((day, start, end) for day in days)


def _day(token: str, text: str) -> int:
    lowered = token.lower()
    for index, full in enumerate(_FULL_DAYS):
        if len(lowered) >= 3 and full.startswith(lowered):
            return index
    raise ValueError(BAD_WINDOW.format(value=text))


def _minute(hours: str, minutes: str, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and m):
        raise ValueError(BAD_WINDOW.format(value=text))
    return h * 60 + m


def availability_bits(windows: tuple[str, ...], timezone: str) -> np.ndarray:
    """Weekly availability in UTC as a bitset of 15-minute slots (``WORDS_PER_WEEK`` uint64).

    Local windows are placed on the dates of the reference week and converted with
    ``zoneinfo``; a slot counts only if the window covers it entirely. Windows that run past
    the end of the week wrap to its start. An empty time zone is read as UTC.

    >>> bits = availability_bits(("Mon 09:00-10:00",), "Europe/Berlin")
    >>> int(np.bitwise_count(bits).sum()) * 15
    60
    """
    return _availability_bits(tuple(windows), timezone).copy()


@lru_cache(maxsize=65536)
def _availability_bits(windows: tuple[str, ...], timezone: str) -> np.ndarray:
    slots = np.zeros(SLOTS_PER_WEEK, dtype=bool)
    zone = check_timezone(timezone) if timezone else UTC
    for text in windows:
        for day, start, end in parse_window(text):
            local = REFERENCE_MONDAY + timedelta(days=day, minutes=start)
            offset = local.replace(tzinfo=zone).utcoffset() or timedelta(0)
            utc_start = day * 24 * 60 + start - int(offset.total_seconds() // 60)
            first = -(-utc_start // SLOT_MINUTES)
            last = (utc_start + end - start) // SLOT_MINUTES
            slots[np.arange(first, last) % SLOTS_PER_WEEK] = True
    padded = np.zeros(WORDS_PER_WEEK * 64, dtype=bool)
    padded[:SLOTS_PER_WEEK] = slots
    return np.packbits(padded, bitorder="little").view(np.uint64)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_seniority(value: str) -> float | None:
    """``''`` is no preference; otherwise a number from 0 to 10.

    >>> parse_seniority("7")
    7.0
    """
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(BAD_SENIORITY.format(value=value)) from None
    if not 0 <= number <= 10:
        raise ValueError(BAD_SENIORITY.format(value=value))
    return number


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_capacity(value: str) -> int:
    """A whole number >= 0 (``'2'``, ``'2.0'``); anything else raises.

    >>> parse_capacity("3")
    3
    """
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(BAD_CAPACITY.format(value=value)) from None
    if not number.is_integer() or number < 0:
        raise ValueError(BAD_CAPACITY.format(value=value))
    return int(number)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_bool(value: str) -> bool:
    """``true/false/yes/no/1/0``, case-insensitive; empty is false.

    >>> parse_bool("Yes")
    True
    """
    text = value.strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0", ""):
        return False
    raise ValueError(BAD_BOOL.format(value=value))


def parse_working_style(value: str) -> dict[str, int]:
    """``'structure=4;pace=3'`` into ``{'structure': 4, 'pace': 3}``; values 1-5.

    >>> parse_working_style("Structure=4; pace=3")
    {'structure': 4, 'pace': 3}
    """
    return _style(value).copy()


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _style(value: str) -> dict[str, int]:
    """Cached body of :func:`parse_working_style`, which hands each caller its own copy."""
    style: dict[str, int] = {}
    for part in split_list(value):
        key, sep, number = part.partition("=")
        if not sep or not key.strip() or not number.strip().isdigit():
            raise ValueError(BAD_STYLE.format(value=value))
        if not 1 <= int(number) <= 5:
            raise ValueError(BAD_STYLE.format(value=value))
        style[normalise_tag(key)] = int(number)
    return style


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_languages(value: str) -> tuple[str, ...]:
    """Lower-cased two-letter codes.

    >>> parse_languages("EN; de")
    ('en', 'de')
    """
    codes = tuple(code.lower() for code in split_list(value))
    for code in codes:
        if len(code) != 2 or not code.isalpha():
            raise ValueError(BAD_LANGUAGE.format(value=code))
    return codes


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_choice(value: str, choices: tuple[str, ...], message: str) -> str:
    """Lower-case ``value`` and check it is one of ``choices`` (empty is allowed).

    >>> parse_choice("In-Person", FORMATS, BAD_FORMAT)
    'in_person'
    """
    text = value.strip().lower().replace("-", "_").replace(" ", "_")
    if text and text not in choices:
        raise ValueError(message.format(value=value))
    return text
