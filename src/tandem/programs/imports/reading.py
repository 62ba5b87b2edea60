"""Reading and checking participant files (CSV or XLSX) before anything is written.

Every cell is read through the participant record (``tandem.matching.records``), the same
columns and rules as ``tandem match`` and the profile form and API, so an import can never
store what a person could not type themselves. ``read_table`` turns the upload into records (or
raises ``ApplicationError`` for a file that cannot be read at all); ``check_rows`` adds what an
import needs beyond the record (every row has an email an account can have and a role; a name
fits an account; the manager is an email; nobody excludes or manages themselves; no email and
role twice, no id for two people), collecting EVERY problem as a ``RowError`` (spreadsheet
numbering: the header is row 1), and returns ``ParsedRow`` values in which ``None`` means "cell
empty: leave the stored value unchanged".

Identity is never imported: people state it themselves in the product. The ``identity`` and
``prefer_shared_identity`` columns are dropped when the file is read (a warning says so), so
their values reach neither the checks, the report nor the database.

Limits: the upload size (``MAX_UPLOAD_BYTES``), then rows, columns, cells and a workbook's
unpacked size: the one bounded reader of the record, with its messages. Cells with control
characters (NUL and the other C0 codes but tab and newlines, lone surrogates), which
PostgreSQL rejects or which no one types on purpose, are row errors, never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tandem.core.exceptions import ApplicationError
from tandem.core.text import character_code, unwanted_character
from tandem.matching.records.availability import Window
from tandem.matching.records.columns import COLUMNS as RECORD_COLUMNS
from tandem.matching.records.columns import column_for, normalise_header
from tandem.matching.records.reading import (
    FILE_EMPTY,
    UNKNOWN_COLUMN,
    FileError,
    Record,
    RowError,
    parse_records,
    read_rows,
)
from tandem.matching.sheets import MAX_ROWS as MAX_ROWS  # the upload page states it
from tandem.people.models import Profile
from tandem.people.services import ACCOUNT_EMAIL_MAX_LENGTH, NAME_MAX_LENGTH

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("email", "role")
PROBLEMS_COLUMN = "Problems"  # added to the file of rows to fix; ignored when read
IDENTITY_COLUMNS = ("identity", "prefer_shared_identity")
NOT_IMPORTED = ("prefer",)  # a preference for a match run, not part of a profile
COLUMNS = tuple(column.name for column in RECORD_COLUMNS if column.name not in NOT_IMPORTED)
MANAGER_EMAIL_MAX_LENGTH = cast(int, Profile._meta.get_field("manager_email").max_length)

# --- file-level messages ---
# No size in it: the page and the API read one byte past the limit and no further.
FILE_TOO_LARGE = (
    "The file is larger than the limit of {limit} MB. Split it into smaller files and import "
    "them one after another."
)
FILE_TYPE = "Upload a .csv (UTF-8) or .xlsx file."
FILE_OLD_EXCEL = (
    "Old .xls workbooks are not supported. In your spreadsheet program choose "
    "Save As → Excel Workbook (.xlsx) or CSV UTF-8, then upload that."
)
IDENTITY_IGNORED = (
    "Identity columns are ignored: people state their identity themselves in Tandem, "
    "so the values in {columns} were not read and are not kept."
)
HEADER_CONTROL = "The header row (row 1) contains control characters; type the column names again."
CONTROL_CHARACTER = (
    "This cell contains a control character (such as NUL, {code}) that cannot be stored; "
    "retype the cell or save the file again as CSV UTF-8."
)

# --- row messages beyond the record's (each says what to change) ---
EMAIL_REQUIRED = "Every row needs an email address."
EMAIL_INVALID = "{value!r} is not an email address; write it like name@example.org."
EMAIL_TOO_LONG = (
    "Use an email address of at most {limit} characters (this one has {length}): it is the "
    "person's log-in name too."
)
NAME_PART_TOO_LONG = (
    "A name is kept as a first name (up to the first space) and a last name (the rest), each "
    "of at most {limit} characters; the {part} name here has {length}. Shorten it."
)
MANAGER_TOO_LONG = "Use an email address of at most {limit} characters (this one has {length})."
DUPLICATE_ROW = "Row {other} already has {email} as {role}; keep only one of the two rows."
EXCLUDE_UNKNOWN = (
    "No participant with email or id {value!r} in this file or program; fix the "
    "spelling or remove it."
)
EXCLUDE_SELF = "A person cannot exclude themselves; remove {value!r}."
MANAGER_INVALID = "{value!r} is not an email address; write the manager's email."
MANAGER_UNKNOWN = (
    "No row of this file or participant of this program has the email {value!r}; add the "
    "manager as a row, or leave the cell empty."
)
MANAGER_SELF = "A person cannot be their own manager; clear this cell."
ID_CONFLICT = "The id {value!r} is also used by {other} (row {row}); ids must be unique."
ID_TAKEN = "The id {value!r} already belongs to {other} in this program; use another id."

# ParsedRow field <- record column, where the names differ
_FIELD_COLUMNS = {"external_id": "id", "meeting_format": "format"}


@dataclass
class Table:
    """A read file: its records, the warnings for the admin and the cells refused on reading.

    ``header`` is the header row as written and ``cells`` every data row as text (cells the
    checks refused emptied, the "Problems" column of a file to fix left out), for the file of
    rows with problems; ``last_row`` is the spreadsheet number of the last non-blank row, so
    that the blank rows skipped between can be counted.
    """

    rows: list[Record]
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    cells: list[tuple[int, list[str]]] = field(default_factory=list)
    header_row: int = 1
    last_row: int = 1

    def header_of(self, column: str) -> str:
        """The header cell, as written in the file, of ``column`` (a record column name);
        the column's name when the file has no such column."""
        for cell in self.header:
            if column_name(cell) == column:
                return cell.strip()
        if column in ("skills_offered", "skills_wanted"):  # read from "skills"
            return self.header_of("skills")
        return column


@dataclass
class ParsedRow:
    """One valid row; ``None`` means the cell was empty (keep what is stored)."""

    row: int
    email: str
    role: str
    external_id: str | None = None
    name: str | None = None
    goals: str | None = None
    expertise: str | None = None
    skills_offered: list[str] | None = None
    skills_wanted: list[str] | None = None
    seniority: int | None = None
    languages: list[str] | None = None
    timezone: str | None = None
    availability: list[Window] | None = None
    meeting_format: str | None = None
    city: str | None = None
    cadence: str | None = None
    department: str | None = None
    working_style: dict[str, int] | None = None
    capacity: int | None = None
    exclude: list[str] | None = None  # raw tokens (emails or ids)
    exclude_emails: set[str] | None = None  # the tokens resolved by import_plan
    manager: str | None = None


# --- reading ----------------------------------------------------------------------------------


def check_upload(*, filename: str, size: int) -> None:
    """What can be refused before the file is read: its size and its type."""
    if size > MAX_UPLOAD_BYTES:
        _file_error(FILE_TOO_LARGE.format(limit=MAX_UPLOAD_BYTES // 1024 // 1024))
    if not size:
        _file_error(FILE_EMPTY)
    lower = (filename or "").lower()
    if lower.endswith(".xls"):
        _file_error(FILE_OLD_EXCEL)
    if "." in lower and not lower.endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        _file_error(FILE_TYPE)


def read_table(*, filename: str, content: bytes) -> Table:
    """The file's records; raises ``ApplicationError`` (field ``file``) when it cannot be read."""
    check_upload(filename=filename, size=len(content))
    try:
        rows = read_rows(filename=filename or "", content=content)
    except FileError as error:
        _file_error(error.message)
    return table_from_rows(rows)


def _file_error(message: str) -> Any:
    raise ApplicationError(message, fields={"file": message})


def table_from_rows(rows: Sequence[tuple[int, Sequence[str]]]) -> Table:
    """Rows of text (header first, with spreadsheet numbers) read as an import reads a file."""
    rows = _without_problems_column(rows)
    if any(unwanted_character(name) for name in rows[0][1]):
        _file_error(HEADER_CONTROL)
    names = [
        column.name if (column := column_for(normalise_header(cell))) else "" for cell in rows[0][1]
    ]
    ignored = [
        cell.strip()
        for cell, name in zip(rows[0][1], names, strict=True)
        if name in IDENTITY_COLUMNS
    ]
    refused, clean = _refuse_control_characters(rows, names)
    try:
        found = parse_records(
            clean, required=REQUIRED_COLUMNS, ignore=(*IDENTITY_COLUMNS, *NOT_IMPORTED)
        )
    except FileError as error:
        _file_error(error.message)
    if found.errors and not found.records:  # the header: nothing below it was read
        _file_error(" ".join(error.message for error in found.errors))
    warnings = [*found.warnings]
    warnings += [
        UNKNOWN_COLUMN.format(column=cell.strip())
        for cell, name in zip(rows[0][1], names, strict=True)
        if name in NOT_IMPORTED
    ]
    if ignored:
        warnings.insert(0, IDENTITY_IGNORED.format(columns=", ".join(ignored)))
    return Table(
        rows=found.records,
        warnings=warnings,
        errors=[*refused, *found.errors],
        header=list(rows[0][1]),
        cells=clean[1:],
        header_row=rows[0][0],
        last_row=rows[-1][0],
    )


def _without_problems_column(
    rows: Sequence[tuple[int, Sequence[str]]],
) -> Sequence[tuple[int, Sequence[str]]]:
    """The rows without the "Problems" column Tandem adds to a file of rows to fix, so that
    the fixed file reads like the original (no "column not used" warning)."""
    header = [normalise_header(cell) for cell in rows[0][1]]
    if PROBLEMS_COLUMN.lower() not in header:
        return rows
    index = header.index(PROBLEMS_COLUMN.lower())
    return [(number, [*cells[:index], *cells[index + 1 :]]) for number, cells in rows]


def column_name(header_cell: str) -> str:
    column = column_for(normalise_header(header_cell))
    return column.name if column else ""


def _refuse_control_characters(
    rows: Sequence[tuple[int, Sequence[str]]], names: list[str]
) -> tuple[list[RowError], list[tuple[int, list[str]]]]:
    """Errors for the read cells holding a character Tandem never stores, and the rows with
    those cells emptied (their values go no further than this check)."""
    read = [
        (index, name)
        for index, name in enumerate(names)
        if name and name not in (*IDENTITY_COLUMNS, *NOT_IMPORTED)
    ]
    errors: list[RowError] = []
    clean: list[tuple[int, list[str]]] = [(rows[0][0], list(rows[0][1]))]
    for number, cells in rows[1:]:
        kept = list(cells)
        for index, name in read:
            if index < len(kept) and (character := unwanted_character(kept[index])):
                code = character_code(character)
                errors.append(RowError(number, name, CONTROL_CHARACTER.format(code=code)))
                kept[index] = ""
        clean.append((number, kept))
    return errors, clean


# --- checking ---------------------------------------------------------------------------------


def check_rows(table: Table) -> tuple[list[ParsedRow], list[RowError]]:
    """Check every record as an import needs; return the parsed rows and ALL errors found.

    Rows whose email and role are usable are returned even when other cells are wrong (those
    fields are ``None``), so later checks can still report their problems.
    """
    parsed: list[ParsedRow] = []
    errors: list[RowError] = list(table.errors)
    seen: dict[tuple[str, str], int] = {}
    ids: dict[str, tuple[str, int]] = {}
    for record in table.rows:
        row = _check_record(record, errors)
        if row is None:
            continue
        key = (row.email, row.role)
        if key in seen:
            duplicate = DUPLICATE_ROW.format(other=seen[key], email=row.email, role=row.role)
            errors.append(RowError(row.row, "email", duplicate))
        else:
            seen[key] = row.row
        if row.external_id:
            owner = ids.get(row.external_id)
            if owner and owner[0] != row.email:
                conflict = ID_CONFLICT.format(value=row.external_id, other=owner[0], row=owner[1])
                errors.append(RowError(row.row, "id", conflict))
            ids.setdefault(row.external_id, (row.email, row.row))
        # Rows with cell errors are still planned, so reference problems (manager, exclude,
        # id) are reported in the same pass; nothing is written while any error exists.
        parsed.append(row)
    return parsed, errors


def _check_record(record: Record, errors: list[RowError]) -> ParsedRow | None:
    """The import's checks of one record; ``None`` when its email or role is unusable."""

    def fail(column: str, message: str) -> None:
        errors.append(RowError(record.row, column, message))

    values = record.values
    email = str(values.get("email", ""))
    email_ok = _check_email(email, fail)
    row = ParsedRow(row=record.row, email=email, role=record.role or "")
    for name in ParsedRow.__dataclass_fields__:
        column = _FIELD_COLUMNS.get(name, name)
        if column in values and name not in ("email", "role"):
            setattr(row, name, values[column])
    _check_name(row.name, fail)
    if row.exclude and email in row.exclude:
        fail("exclude", EXCLUDE_SELF.format(value=email))
    if row.manager:
        _check_manager(row.manager, email, fail)
    return row if email_ok and record.role else None


def _check_email(email: str, fail: Callable[[str, str], None]) -> bool:
    if not email:
        fail("email", EMAIL_REQUIRED)
        return False
    try:
        validate_email(email)
    except ValidationError:
        fail("email", EMAIL_INVALID.format(value=email))
    if len(email) > ACCOUNT_EMAIL_MAX_LENGTH:
        fail("email", EMAIL_TOO_LONG.format(limit=ACCOUNT_EMAIL_MAX_LENGTH, length=len(email)))
    return True


def _check_name(name: str | None, fail: Callable[[str, str], None]) -> None:
    """An account keeps a first and a last name, each of Django's length."""
    for part, text in zip(("first", "last"), (name or "").partition(" ")[::2], strict=True):
        if len(text) > NAME_MAX_LENGTH:
            limit = NAME_MAX_LENGTH
            fail("name", NAME_PART_TOO_LONG.format(limit=limit, part=part, length=len(text)))


def _check_manager(manager: str, email: str, fail: Callable[[str, str], None]) -> None:
    try:
        validate_email(manager)
    except ValidationError:
        fail("manager", MANAGER_INVALID.format(value=manager))
    if len(manager) > MANAGER_EMAIL_MAX_LENGTH:
        limit = MANAGER_EMAIL_MAX_LENGTH
        fail("manager", MANAGER_TOO_LONG.format(limit=limit, length=len(manager)))
    if manager == email:
        fail("manager", MANAGER_SELF)
