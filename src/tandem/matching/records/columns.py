"""The columns of a participant file: names, aliases, which side uses them, how a cell is read.

Every entry point reads the same columns the same way; what an entry point adds is which
columns it requires (the import: ``email`` and ``role``; ``tandem match``: ``id``) and what the
references (``exclude``, ``prefer``, ``manager``) must name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tandem.matching.records import cells
from tandem.matching.records.availability import parse_availability
from tandem.matching.records.timezones import check_timezone

ID_MAX_LENGTH = 120
NAME_MAX_LENGTH = 300
TEXT_MAX_LENGTH = 4000
PLACE_MAX_LENGTH = 120  # city, department

MENTEE, MENTOR = ("mentee",), ("mentor",)

_HEADER_SEPARATOR = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Column:
    """One column: ``parse`` turns a non-empty cell into its value or raises ``CellError``.

    ``sides`` are the one-side files (a mentee file, a mentor file) the column belongs to; the
    columns only a file of both sides has (``role``, ``skills``) belong to neither.
    """

    name: str
    parse: Callable[[str], object]
    help: str
    aliases: tuple[str, ...] = ()
    sides: tuple[str, ...] = ("mentee", "mentor")


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        return cells.check_length(text, limit)

    return parse


def _one_line(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        return cells.check_length(cells.one_line(text), limit)

    return parse


def _lower(text: str) -> str:
    return text.lower()


def _reference(text: str) -> str:
    return text.lower() if "@" in text else text


COLUMNS = (
    Column("id", _text(ID_MAX_LENGTH), "your own id for the person (what references name)"),
    Column("email", _lower, "the person's email address"),
    Column("name", _one_line(NAME_MAX_LENGTH), "first name, a space, last name"),
    Column("role", cells.parse_role, "mentee or mentor", sides=()),
    Column(
        "goals", _text(TEXT_MAX_LENGTH), "what a mentee wants to learn (free text)", sides=MENTEE
    ),
    Column(
        "expertise", _text(TEXT_MAX_LENGTH), "what a mentor can help with (free text)", sides=MENTOR
    ),
    Column(
        "skills", cells.parse_skills, "skills offered (mentor) or wanted (mentee), ';'", sides=()
    ),
    Column("skills_offered", cells.parse_skills, "';'-separated skill names", sides=MENTOR),
    Column("skills_wanted", cells.parse_skills, "';'-separated skill names", sides=MENTEE),
    Column("seniority", cells.check_seniority, "whole number, 0 (student) to 10 (executive)"),
    Column("languages", cells.parse_languages, "';'-separated ISO 639-1 codes, e.g. en;pt"),
    Column("timezone", check_timezone, "Region/City, e.g. Europe/Berlin", ("time_zone",)),
    Column("availability", parse_availability, "';'-separated local windows: Mon 09:00-12:00"),
    Column("format", cells.parse_format, "virtual, in_person or any", ("meeting_format",)),
    Column("city", _one_line(PLACE_MAX_LENGTH), "city (counts when meeting in person)"),
    Column("cadence", cells.parse_cadence, "weekly, biweekly, monthly or quarterly"),
    Column("department", _one_line(PLACE_MAX_LENGTH), "department (for conflict rules)"),
    Column("working_style", cells.parse_working_style, "structure=4;pace=2 (answers 1-5)"),
    Column("capacity", cells.check_capacity, "mentees at once, 1 to 20", sides=MENTOR),
    Column("identity", cells.parse_identity, "opt-in, ';'-separated self-description"),
    Column("prefer_shared_identity", cells.parse_bool, "yes or no"),
    Column("exclude", cells.parse_references, "ids or emails never to pair with, ';'"),
    Column("prefer", cells.parse_references, "ids or emails to prefer, ';'"),
    Column("manager", _reference, "the manager's id or email", ("manager_email",)),
)
BY_NAME = {column.name: column for column in COLUMNS}
# The header of a file of one side, as the writers write it and the readers expect it.
MENTEE_COLUMNS = tuple(column.name for column in COLUMNS if "mentee" in column.sides)
MENTOR_COLUMNS = tuple(column.name for column in COLUMNS if "mentor" in column.sides)
_BY_HEADER = {name: column for column in COLUMNS for name in (column.name, *column.aliases)}
CAPACITY_MENTEE = "Only mentors have a capacity; leave this cell empty on mentee rows."


def normalise_header(text: str) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and hyphens as ``_``.

    >>> normalise_header(" Skills-Wanted "), normalise_header("Time zone")
    ('skills_wanted', 'time_zone')
    """
    return _HEADER_SEPARATOR.sub("_", (text or "").strip().lower())


def column_for(header: str) -> Column | None:
    """The column a normalised header cell names (by its name or an alias), or None.

    >>> column_for("meeting_format").name
    'format'
    """
    return _BY_HEADER.get(header)
