"""Participant files (CSV or XLSX) in and out, with errors that name file, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1. Every problem in the input
is collected, then one :class:`InputError` carries them all.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from itertools import compress
from pathlib import Path
from typing import NamedTuple

from tandem.matching import profiles as pf
from tandem.matching import sheets

COMMON_COLUMNS = (
    "id",
    "name",
    "seniority",
    "languages",
    "timezone",
    "availability",
    "format",
    "city",
    "cadence",
    "department",
    "identity",
    "prefer_shared_identity",
    "exclude",
    "prefer",
    "email",
    "role",
    "working_style",
    "manager",
)
MENTEE_COLUMNS = (*COMMON_COLUMNS, "goals", "skills_wanted")
MENTOR_COLUMNS = (*COMMON_COLUMNS, "expertise", "skills_offered", "capacity")
QUIET_COLUMNS = ("name", "email", "role")  # missing these says nothing about matching
MENTEE_ONLY = ("prefer_shared_identity",)  # only a mentee asks for a shared identity

BAD_ENCODING = "cannot read the file as UTF-8 text: save it as 'CSV UTF-8' and try again"
UNREADABLE = "cannot open the file: {reason}"
EMPTY_FILE = "the file is empty: it needs a header row and at least one data row"
NO_ROWS = "the file has a header but no data rows"
MISSING_COLUMN = "required column {column!r} is missing"
REPEATED_COLUMN = "column {column!r} appears more than once"
EMPTY_ID = "id is empty"
DUPLICATE_ID = "duplicate id {value!r} (first on row {first})"
BAD_ROLE = "role must be mentee or mentor (got {value!r})"
MISSING_WARNING = "{file}: missing column{s} {columns}: treated as no preference"
UNKNOWN_WARNING = "{file}: ignoring unknown column{s} {columns}"
UNKNOWN_ID_WARNING = "{file}:{row}:{column}: {value!r} is not a participant in this run"


@dataclass(frozen=True)
class RowError:
    """One problem in an input file; ``row``/``column`` are None for file-wide problems."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = ":".join(str(p) for p in (self.file, self.row, self.column) if p is not None)
        return f"{place}: {self.message}"


class InputError(ValueError):
    """Raised once with every :class:`RowError` found."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("\n".join(map(str, self.errors)))


@dataclass
class Participants:
    """What was read: both sides plus warnings for the person running the import."""

    mentees: list[pf.Mentee] = field(default_factory=list)
    mentors: list[pf.Mentor] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_table(path: str | os.PathLike) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (normalised names) and ``(row number, {column: text})`` for non-blank rows.

    Raises
    ------
    InputError
        Unreadable file or encoding, no header, no data rows, repeated columns.
    """
    name = str(path)
    try:
        content = Path(path).read_bytes()
        raw = sheets.text_rows(sheets.iter_rows(filename=name, content=content))
    except UnicodeDecodeError:
        raise InputError([RowError(name, None, None, BAD_ENCODING)]) from None
    except sheets.SheetTooLarge as exc:
        raise InputError([RowError(name, None, None, str(exc))]) from None
    except (OSError, csv.Error) as exc:
        raise InputError([RowError(name, None, None, UNREADABLE.format(reason=exc))]) from None
    except Exception as exc:  # zipfile and expat raise their own exception types
        reason = f"not a readable XLSX workbook ({exc})"
        raise InputError([RowError(name, None, None, UNREADABLE.format(reason=reason))]) from None
    if not raw or not any(cell.strip() for cell in raw[0][1]):
        raise InputError([RowError(name, None, None, EMPTY_FILE)])
    header = [cell.strip().lower().replace(" ", "_") for cell in raw[0][1]]
    errors = [
        RowError(name, 1, col, REPEATED_COLUMN.format(column=col))
        for k, col in enumerate(header)
        if col and col in header[:k]
    ]
    rows = []
    for number, cells in raw[1:]:
        texts = [cell.strip() for cell in cells]
        if any(texts):
            if len(texts) < len(header):
                texts += [""] * (len(header) - len(texts))
            # cells past the header are dropped; compress skips columns with a blank header
            pairs = zip(header, texts, strict=False)
            rows.append((number, dict(compress(pairs, header))))
    if not rows:
        errors.append(RowError(name, None, None, NO_ROWS))
    if errors:
        raise InputError(errors)
    return [col for col in header if col], rows


_PARSERS = {
    "seniority": pf.parse_seniority,
    "languages": pf.parse_languages,
    "availability": pf.split_list,
    "format": lambda v: pf.parse_choice(v, pf.FORMATS, pf.BAD_FORMAT),
    "cadence": lambda v: pf.parse_choice(v, pf.CADENCES, pf.BAD_CADENCE),
    "identity": pf.split_list,
    "prefer_shared_identity": pf.parse_bool,
    "exclude": pf.split_list,
    "prefer": pf.split_list,
    "working_style": pf.parse_working_style,
    "skills_wanted": pf.split_list,
    "skills_offered": pf.split_list,
    "capacity": pf.parse_capacity,
}


class _FieldColumns(NamedTuple):
    """The header columns that are fields of one record type, by how their cells are read.

    Worked out once per file rather than per row; a parsed row is then exactly the keyword
    arguments of the record type.
    """

    text: list[str]  # taken as they are
    parsed: list[tuple[str, Callable[[str], object]]]  # through their parser in ``_PARSERS``


def _field_columns(kind: type, header: list[str]) -> _FieldColumns:
    names = {f.name for f in fields(kind)}
    own = [column for column in header if column in names]
    return _FieldColumns(
        text=[column for column in own if column not in _PARSERS],
        parsed=[(column, _PARSERS[column]) for column in own if column in _PARSERS],
    )


def _parse_row(
    file: str, number: int, values: dict[str, str], columns: _FieldColumns, errors: list
) -> dict:
    """Typed field values for one row, appending a RowError per bad cell."""
    parsed: dict = {column: values[column] for column in columns.text}
    for column, parse in columns.parsed:
        try:
            parsed[column] = parse(values[column])
        except ValueError as exc:
            errors.append(RowError(file, number, column, str(exc)))
    timezone = parsed.get("timezone", "")
    if timezone:
        try:
            pf.check_timezone(timezone)
        except ValueError as exc:
            errors.append(RowError(file, number, "timezone", str(exc)))
    for window in parsed.get("availability", ()):
        try:
            pf.check_window(window)
        except ValueError as exc:
            errors.append(RowError(file, number, "availability", str(exc)))
    return parsed


def _column_warnings(file: str, header: list[str], expected: Iterable[str]) -> list[str]:
    expected = tuple(expected)
    warnings = []
    quiet = QUIET_COLUMNS if "goals" in expected else (*QUIET_COLUMNS, *MENTEE_ONLY)
    missing = [c for c in expected if c not in header and c not in quiet]
    unknown = [c for c in header if c not in expected]
    for columns, template in ((missing, MISSING_WARNING), (unknown, UNKNOWN_WARNING)):
        if columns:
            s = "s" if len(columns) > 1 else ""
            warnings.append(template.format(file=file, columns=", ".join(columns), s=s))
    return warnings


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while a file becomes records.

    Reading allocates several containers per row and frees almost none of them, so the
    collector would otherwise rescan the growing heap many times over (about a tenth of the
    read time on large files) without finding anything to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_people(path, roles: tuple[str, ...]) -> tuple[Participants, list[RowError]]:
    """Shared reader; ``roles`` is ('mentee',), ('mentor',) or both (role column decides)."""
    with _collector_paused():
        return _read_records(path, roles)


def _read_records(path, roles: tuple[str, ...]) -> tuple[Participants, list[RowError]]:
    file = str(path)
    header, rows = read_table(path)
    combined = len(roles) == 2
    required = [
        "id",
        *(["role"] if combined else []),
        *(["capacity"] if roles == ("mentor",) else []),
    ]
    errors = [
        RowError(file, 1, col, MISSING_COLUMN.format(column=col))
        for col in required
        if col not in header
    ]
    if errors:
        return Participants(), errors
    expected = set(MENTEE_COLUMNS if roles == ("mentee",) else MENTOR_COLUMNS)
    if combined:
        expected |= set(MENTEE_COLUMNS)
    ordered = [
        c for c in (*MENTEE_COLUMNS, "expertise", "skills_offered", "capacity") if c in expected
    ]
    result = Participants(warnings=_column_warnings(file, header, ordered))
    kinds = {"mentee": pf.Mentee, "mentor": pf.Mentor}
    columns = {role: _field_columns(kind, header) for role, kind in kinds.items()}
    first_row: dict[str, int] = {}
    for number, values in rows:
        role = values.get("role", "").lower() if combined else roles[0]
        if role not in ("mentee", "mentor"):
            errors.append(RowError(file, number, "role", BAD_ROLE.format(value=values["role"])))
            continue
        if role == "mentor" and combined and "capacity" not in header:
            errors.append(
                RowError(file, number, "capacity", MISSING_COLUMN.format(column="capacity"))
            )
        person_id = values["id"]
        if not person_id:
            errors.append(RowError(file, number, "id", EMPTY_ID))
        elif person_id in first_row:
            errors.append(
                RowError(
                    file,
                    number,
                    "id",
                    DUPLICATE_ID.format(value=person_id, first=first_row[person_id]),
                )
            )
        first_row.setdefault(person_id, number)
        count = len(errors)
        parsed = _parse_row(file, number, values, columns[role], errors)
        if len(errors) == count and person_id:
            person = kinds[role](**parsed)
            (result.mentees if role == "mentee" else result.mentors).append(person)
    return result, errors


def read_mentees(path: str | os.PathLike) -> Participants:
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
    result, errors = _read_people(path, ("mentee",))
    if errors:
        raise InputError(errors)
    return result


def read_mentors(path: str | os.PathLike) -> Participants:
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
    result, errors = _read_people(path, ("mentor",))
    if errors:
        raise InputError(errors)
    return result


def read_participants(path: str | os.PathLike) -> Participants:
    """Read one file holding both sides, told apart by a ``role`` column (bulk import)."""
    result, errors = _read_people(path, ("mentee", "mentor"))
    if errors:
        raise InputError(errors)
    return result


def read_inputs(mentees_path, mentors_path) -> Participants:
    """Read both files, collecting the errors of both before raising.

    Also warns about ``exclude``/``prefer``/``manager`` ids that are in neither file.
    """
    errors, result = [], Participants()
    for path, role in ((mentees_path, "mentee"), (mentors_path, "mentor")):
        try:
            part, found = _read_people(path, (role,))
        except InputError as exc:
            errors += exc.errors
            continue
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
            value = "true" if value else "false"
        elif isinstance(value, float):
            value = f"{value:g}"
        row[f.name] = "" if value is None else str(value)
    if role:
        row["role"] = role
    return row


def write_participants_csv(
    target, mentees: Sequence[pf.Mentee] = (), mentors: Sequence[pf.Mentor] = ()
) -> None:
    """Write participants so that reading the file gives the same records back.

    With both sides, writes one file with a ``role`` column (read it with
    :func:`read_participants`).

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
    columns = list(MENTEE_COLUMNS if not mentors else MENTOR_COLUMNS)
    if combined:
        columns += ["goals", "skills_wanted"]
    rows = [_person_row(p, "mentee" if combined else None) for p in mentees]
    rows += [_person_row(p, "mentor" if combined else None) for p in mentors]
    if not combined:
        columns.remove("role")
    with contextlib.ExitStack() as stack:
        handle = target
        if isinstance(target, str | os.PathLike):
            handle = stack.enter_context(open(target, "w", newline="", encoding="utf-8"))
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
