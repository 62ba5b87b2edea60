"""The solver's participant types: :class:`Mentee` and :class:`Mentor`, and their weekly
availability as UTC bitsets.

A :class:`Mentee` and a :class:`Mentor` share every field of :class:`Person`; the mentee adds
``goals`` and ``skills_wanted``, the mentor ``expertise``, ``skills_offered`` and ``capacity``.
An empty field means "no preference". Every field follows the participant record's rule
(:mod:`tandem.matching.records`), whether the person was read from a file or built in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from tandem.matching.records import cells
from tandem.matching.records.availability import parse_window, parse_windows, to_utc_intervals
from tandem.matching.records.timezones import check_timezone

SLOT_MINUTES = 15
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES  # 672
WORDS_PER_WEEK = -(-SLOTS_PER_WEEK // 64)  # 11 uint64 words
# The week local windows are placed in when the caller names none: a January week, when
# neither Europe nor North America keeps summer time, so the same input always gives the same
# overlap. A program passes the week it runs (``week=``), where the clocks may differ.
REFERENCE_WEEK = date(2026, 1, 5)

EMPTY_ID = "id must not be empty"
BAD_REMAINING_CAPACITY = "capacity must be a whole number >= 0 (got {value!r})"


@dataclass(frozen=True, kw_only=True)
class Person:
    """Fields both sides share. Empty values mean "no preference"."""

    id: str
    name: str = ""
    seniority: int | None = None
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

    def __post_init__(self) -> None:
        check_person(self)
        # Codes compare as a participant file's cells read them: "EN" and " en" are English.
        object.__setattr__(self, "languages", tuple(cells.check_languages(self.languages)))


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

    def __post_init__(self) -> None:
        super().__post_init__()
        # What is left of a mentor's capacity (0 when full), so 0 is allowed here, unlike in a
        # participant file where a person states how many mentees they take.
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int):
            raise ValueError(BAD_REMAINING_CAPACITY.format(value=self.capacity))
        if self.capacity < 0:
            raise ValueError(BAD_REMAINING_CAPACITY.format(value=self.capacity))


def check_person(person: Person) -> None:
    """Hold a record built in Python to the participant record's rules; raises ``ValueError``.

    >>> Mentee(id="a", seniority=7.5)
    Traceback (most recent call last):
    ...
    tandem.matching.records.cells.CellError: Seniority must be a whole number from 0 (student) to 10 (executive), got 7.5.
    """  # noqa: E501
    if not person.id:
        raise ValueError(EMPTY_ID)
    if person.timezone:
        check_timezone(person.timezone)
    for window in person.availability:
        parse_window(window)
    if person.format:
        cells.parse_format(person.format)
    if person.cadence:
        cells.parse_cadence(person.cadence)
    cells.check_seniority(person.seniority)
    cells.check_working_style(person.working_style)


@lru_cache(maxsize=4096)
def normalise_tag(tag: str) -> str:
    """Identity tags, cities and departments compare case- and space-insensitively (skills
    compare by :func:`~tandem.matching.records.cells.skill_slug`, as profiles store them).

    >>> normalise_tag("  Machine   Learning ")
    'machine learning'
    """
    return " ".join(tag.lower().split())


def availability_bits(
    windows: Iterable[str], timezone: str, week: date = REFERENCE_WEEK
) -> np.ndarray:
    """Weekly availability in UTC as a bitset of 15-minute slots (``WORDS_PER_WEEK`` uint64).

    Local windows are converted by the participant record's one conversion
    (:func:`~tandem.matching.records.availability.to_utc_intervals`) with the offsets of
    each day of the week that contains ``week``; each edge goes to the nearest slot boundary,
    so two people free at the same times share them whatever the minutes: with only slots a
    window covers entirely, both free "Mon 09:05-10:05" (or "09:00-09:59") were told "Only 45
    minutes a week free at the same time". Windows that run past the end of the week wrap to
    its start. An empty time zone is read as UTC.

    >>> bits = availability_bits(("Mon 09:00-10:00",), "Europe/Berlin")
    >>> int(np.bitwise_count(bits).sum()) * 15
    60
    """
    return _availability_bits(tuple(windows), timezone, week).copy()


def _nearest_slot(minute: int) -> int:
    """The slot boundary nearest ``minute`` (half a slot up): 09:07 is 09:00, 09:08 09:15."""
    return (minute + SLOT_MINUTES // 2) // SLOT_MINUTES


@lru_cache(maxsize=65536)
def _availability_bits(windows: tuple[str, ...], timezone: str, week: date) -> np.ndarray:
    slots = np.zeros(SLOTS_PER_WEEK, dtype=bool)
    for start, end in to_utc_intervals(parse_windows(windows), timezone or "UTC", week):
        slots[_nearest_slot(start) : _nearest_slot(end)] = True
    padded = np.zeros(WORDS_PER_WEEK * 64, dtype=bool)
    padded[:SLOTS_PER_WEEK] = slots
    return np.packbits(padded, bitorder="little").view(np.uint64)
