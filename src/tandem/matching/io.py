"""Participant files (CSV or XLSX) in and out, with errors that name file, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1. Every problem in the input
is collected, then one :class:`InputError` carries them all.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import IO, Any, cast

from tandem.matching import profiles as pf
from tandem.matching.records.availability import Window, format_windows_joined
from tandem.matching.records.cells import CAPACITY_INVALID, CAPACITY_MAX, PARSE_CACHE_SIZE
from tandem.matching.records.columns import MENTEE_COLUMNS, MENTOR_COLUMNS, normalise_header
from tandem.matching.records.reading import (
    MISSING_COLUMN,
    NO_ROWS,
    FileError,
    Record,
    escape_cell,
    read_records,
    read_rows,
)

UNREADABLE = "cannot open the file: {reason}"
EMPTY_ID = "id is empty"
DUPLICATE_ID = "duplicate id {value!r} (first on row {first})"
REPEATED_COLUMN = "column {column!r} appears more than once"
MISSING_WARNING = "{file}: missing column{s} {columns}: treated as no preference"
UNKNOWN_WARNING = "{file}: ignoring unknown column{s} {columns}"
UNKNOWN_ID_WARNING = "{file}:{row}:{column}: {value!r} is not a participant in this run"
# Missing these says nothing about matching; only a mentee asks for a shared identity.
QUIET_COLUMNS = ("name", "email")
# ``tandem match`` reads files on the operator's own machine, where 100,000 people or a score
# table of a million pairs are ordinary; an upload to the server keeps the reader's 50,000.
MATCH_MAX_ROWS = 2_000_000
MENTEE_ONLY = ("prefer_shared_identity",)


@dataclass(frozen=True)
class InputProblem:
    """A participant record's error placed in its file, as ``tandem match`` prints it;
    ``row``/``column`` are None for problems with the whole file."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = ":".join(str(p) for p in (self.file, self.row, self.column) if p is not None)
        return f"{place}: {self.message}"


class InputError(ValueError):
    """Raised once with every :class:`InputProblem` found."""

    def __init__(self, errors: Sequence[InputProblem]):
        self.errors = list(errors)
        super().__init__("\n".join(map(str, self.errors)))


@dataclass
class Participants:
    """What was read: both sides plus warnings for the person running the match."""

    mentees: list[pf.Mentee] = field(default_factory=list)
    mentors: list[pf.Mentor] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _content(path: str | os.PathLike[str]) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            [InputProblem(str(path), None, None, UNREADABLE.format(reason=exc))]
        ) from None


def read_plain_table(
    path: str | os.PathLike[str],
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (normalised names) and ``(row number, {column: text})`` of a table that is not a
    participant file (a score table), read by the participant record's reader.

    Raises
    ------
    InputError
        Unreadable file or encoding, no header, no data rows, repeated columns.
    """
    name = str(path)
    try:
        raw = read_rows(filename=name, content=_content(path), max_rows=MATCH_MAX_ROWS)
    except FileError as exc:
        raise InputError([InputProblem(name, None, None, exc.message)]) from None
    header = [normalise_header(cell) for cell in raw[0][1]]
    errors = [
        InputProblem(name, 1, col, REPEATED_COLUMN.format(column=col))
        for k, col in enumerate(header)
        if col and col in header[:k]
    ]
    rows = []
    for number, cells in raw[1:]:
        texts = cells + [""] * (len(header) - len(cells))
        # cells past the header are dropped; compress skips columns with a blank header
        rows.append((number, dict(compress(zip(header, texts, strict=False), header))))
    if not rows:
        errors.append(InputProblem(name, None, None, NO_ROWS))
    if errors:
        raise InputError(errors)
    return [col for col in header if col], rows


def _column_warnings(file: str, header: list[str], role: str | None) -> list[str]:
    expected = MENTOR_COLUMNS if role == "mentor" else MENTEE_COLUMNS
    if role is None:
        expected = tuple(dict.fromkeys((*MENTEE_COLUMNS, *MENTOR_COLUMNS)))
    quiet = QUIET_COLUMNS if role != "mentor" else (*QUIET_COLUMNS, *MENTEE_ONLY)
    missing = [c for c in expected if c not in header and c not in quiet]
    if missing:
        s = "s" if len(missing) > 1 else ""
        return [MISSING_WARNING.format(file=file, columns=", ".join(missing), s=s)]
    return []


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file becomes people, or a run builds its
    features and reasons (also a decorator: ``@collector_paused()``).

    Both allocate several containers per row or pair and free almost none of them, so the
    collector would otherwise rescan the growing heap many times over without finding
    anything to collect: at 100,000 x 20,000 that was a third of reading (people included),
    half of embedding and half of explaining. Memory freed by reference counting (all but
    cycles) is freed as usual; the collector runs again afterwards if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@collector_paused()
def _read_people(
    path: str | os.PathLike[str], role: str | None
) -> tuple[Participants, list[InputProblem]]:
    """Shared reader; ``role`` is 'mentee', 'mentor' or None (the role column decides)."""
    file = str(path)
    required = ["id", *(["role"] if role is None else []), *(["capacity"] if role else [])]
    if role == "mentee":
        required.remove("capacity")
    try:
        found = read_records(
            filename=file,
            content=_content(path),
            role=role,
            required=required,
            max_rows=MATCH_MAX_ROWS,
        )
    except FileError as exc:
        return Participants(), [InputProblem(file, None, None, exc.message)]
    errors = [InputProblem(file, e.row, e.column, e.message) for e in found.errors]
    if errors and not found.records:
        return Participants(), errors
    result = Participants(
        warnings=[*_column_warnings(file, found.columns, role)]
        + [f"{file}: {warning}" for warning in found.warnings]
    )
    failed = {error.row for error in found.errors}
    told = {(error.row, error.column) for error in found.errors}
    first_row: dict[str, int] = {}
    for record in found.records:
        person_id = str(record.values.get("id", ""))
        if record.role == "mentor" and "capacity" not in record.values:
            errors += _no_capacity(file, record.row, found.columns, told)
        errors += _id_problems(file, record.row, person_id, first_row, told)
        if record.row not in failed and record.role and person_id:
            person = _person(record)
            if isinstance(person, pf.Mentee):
                result.mentees.append(person)
            else:
                result.mentors.append(person)
    return result, sorted(errors, key=lambda e: e.row or 0)


def _id_problems(
    file: str, row: int, person_id: str, first_row: dict[str, int], told: set[tuple[int, str]]
) -> list[InputProblem]:
    """An empty or repeated id (``first_row``: where each id was first seen, filled here). An
    id the cell's rule refused (too long) is not also told "empty" (live check)."""
    problems = []
    if not person_id:
        if (row, "id") not in told:
            problems.append(InputProblem(file, row, "id", EMPTY_ID))
    elif person_id in first_row:
        duplicate = DUPLICATE_ID.format(value=person_id, first=first_row[person_id])
        problems.append(InputProblem(file, row, "id", duplicate))
    first_row.setdefault(person_id, row)
    return problems


def _no_capacity(
    file: str, row: int, columns: Sequence[str], told: set[tuple[int, str]]
) -> list[InputProblem]:
    """A mentor row without a capacity: the column missing, or its cell empty. An empty cell
    took one mentee without a word (live check); a file has no program default to fall back
    on, unlike an import. A cell already refused is not told twice."""
    if "capacity" not in columns:
        return [InputProblem(file, row, "capacity", MISSING_COLUMN.format(column="capacity"))]
    if (row, "capacity") in told:
        return []
    empty = CAPACITY_INVALID.format(max=CAPACITY_MAX, value="")
    return [InputProblem(file, row, "capacity", empty)]


_FIELDS = {kind: frozenset(f.name for f in fields(kind)) for kind in (pf.Mentee, pf.Mentor)}


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _window_texts(windows: tuple[Window, ...]) -> tuple[str, ...]:
    """The text of parsed windows; people share a few weekly patterns, so each is written once."""
    return tuple(format_windows_joined(windows))


def _person(record: Record) -> pf.Mentee | pf.Mentor:
    """The solver's type for a record that passed: lists become tuples, windows their text."""
    kind = pf.Mentee if record.role == "mentee" else pf.Mentor
    names = _FIELDS[kind]
    values: dict[str, Any] = {}
    for name, value in record.values.items():
        if name not in names:
            continue
        if name == "availability":
            value = _window_texts(tuple(cast(list[Window], value)))
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return kind(**values)


def _raise_any(result: Participants, errors: list[InputProblem]) -> Participants:
    if errors:
        raise InputError(errors)
    return result


def read_mentees(path: str | os.PathLike[str]) -> Participants:
    """Read a mentee file (CSV or XLSX).

    Raises
    ------
    InputError
        With every problem found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "mentees.csv"
    >>> _ = f.write_text("id,goals,languages\\na,learn SQL,en;de\\n")
    >>> read_mentees(f).mentees[0].languages
    ('en', 'de')
    """
    return _raise_any(*_read_people(path, "mentee"))


def read_mentors(path: str | os.PathLike[str]) -> Participants:
    """Read a mentor file (``id`` and ``capacity`` required). Raises InputError.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "mentors.csv"
    >>> _ = f.write_text("id,capacity\\nm,two\\n")
    >>> try:
    ...     read_mentors(f)
    ... except InputError as e:
    ...     print(e.errors[0].row, e.errors[0].column)
    2 capacity
    """
    return _raise_any(*_read_people(path, "mentor"))


def read_participants(path: str | os.PathLike[str]) -> Participants:
    """Read one file holding both sides, told apart by a ``role`` column."""
    return _raise_any(*_read_people(path, None))


def read_inputs(
    mentees_path: str | os.PathLike[str], mentors_path: str | os.PathLike[str]
) -> Participants:
    """Read both files, collecting the errors of both before raising.

    Also warns about ``exclude``/``prefer`` ids that are in neither file.
    """
    errors: list[InputProblem] = []
    result = Participants()
    for path, role in ((mentees_path, "mentee"), (mentors_path, "mentor")):
        part, found = _read_people(path, role)
        errors += found
        result.mentees += part.mentees
        result.mentors += part.mentors
        result.warnings += part.warnings
    if errors:
        raise InputError(errors)
    result.warnings += _unknown_ids(result, str(mentees_path), str(mentors_path))
    return result


def _unknown_ids(result: Participants, mentee_file: str, mentor_file: str) -> list[str]:
    known = {p.id for p in result.mentees} | {p.id for p in result.mentors}
    warnings = []
    for people, file in ((result.mentees, mentee_file), (result.mentors, mentor_file)):
        for row, person in enumerate(people, start=2):
            for column in ("exclude", "prefer"):
                warnings += [
                    UNKNOWN_ID_WARNING.format(file=file, row=row, column=column, value=x)
                    for x in getattr(person, column)
                    if x not in known
                ]
    return warnings


def _person_row(person: pf.Person, role: str | None) -> dict[str, str]:
    row = {}
    for f in fields(person):
        value = getattr(person, f.name)
        if isinstance(value, tuple):
            value = ";".join(value)
        elif isinstance(value, dict):
            value = ";".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            value = f"{value:g}"
        row[f.name] = "" if value is None else escape_cell(str(value))
    if role:
        row["role"] = role
    return row


def write_participants_csv(
    target: str | os.PathLike[str] | IO[str],
    mentees: Sequence[pf.Mentee] = (),
    mentors: Sequence[pf.Mentor] = (),
) -> None:
    """Write participants so that reading the file gives the same records back.

    With both sides, writes one file with a ``role`` column (read it with
    :func:`read_participants`). Cells a spreadsheet would run as formulas are escaped the way
    the reader undoes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> people = [pf.Mentee(id="a", goals="SQL", availability=("Mon 09:00-10:00",))]
    >>> write_participants_csv(f, mentees=people)
    >>> read_mentees(f).mentees == people
    True
    """
    combined = bool(mentees) and bool(mentors)
    columns = list(MENTOR_COLUMNS if mentors else MENTEE_COLUMNS)
    if combined:
        columns += ["goals", "skills_wanted", "role"]
    rows = [_person_row(p, "mentee" if combined else None) for p in mentees]
    rows += [_person_row(p, "mentor" if combined else None) for p in mentors]
    with contextlib.ExitStack() as stack:
        handle = target
        if isinstance(target, str | os.PathLike):
            handle = stack.enter_context(open(target, "w", newline="", encoding="utf-8"))
        writer = csv.DictWriter(cast(IO[str], handle), fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
