"""Reading and checking participant files (CSV or XLSX) before anything is written.

``read_table`` turns the upload into rows of strings (or raises ``ApplicationError`` for a file
that cannot be read at all); ``check_rows`` validates every cell, collecting EVERY problem as a
``RowError`` (spreadsheet numbering: the header is row 1), and returns ``ParsedRow`` records in
which ``None`` means "cell empty: leave the stored value unchanged".

Cell syntax follows the matching core's CSV columns; the values are validated with the same
rules as the profile form (``tandem.people``), so an import can never store what a person could
not type themselves.

Identity is never imported: people state it themselves in the product. The ``identity`` and
``prefer_shared_identity`` columns are dropped when the file is read (a warning says so), so
their values reach neither the checks, the report nor the database.

Limits: the upload size (``MAX_UPLOAD_BYTES``), then rows, columns, cells and a workbook's
unpacked size: the bounded row reader of ``tandem.matching.sheets`` that ``tandem match`` uses
too, with its messages. Cells with control characters (NUL and the other C0 codes but tab and
newlines, lone surrogates), which PostgreSQL rejects or which no one types on purpose, are row
errors, never stored.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tandem.core.exceptions import ApplicationError
from tandem.core.text import character_code, unwanted_character
from tandem.matching.records.availability import AvailabilityError, Window, parse_windows
from tandem.matching.records.languages import LANGUAGES
from tandem.matching.sheets import MAX_ROWS as MAX_ROWS  # the upload page states it
from tandem.matching.sheets import SheetTooLarge, is_workbook, iter_rows, text_rows
from tandem.people.choices import (
    WORKING_STYLE_QUESTIONS,
    WORKING_STYLE_SCALE,
    Cadence,
    MeetingFormat,
)
from tandem.people.models import Profile
from tandem.people.services import (
    ACCOUNT_EMAIL_MAX_LENGTH,
    MAX_SKILLS,
    NAME_MAX_LENGTH,
    check_timezone,
)
from tandem.people.services import (
    skill_normalise as _skill_normalise,
)
from tandem.people.services import (
    skill_slug as _skill_slug,
)
from tandem.programs.models import CAPACITY_MAX

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("email", "role")
COLUMNS = (
    "id",
    "email",
    "name",
    "role",
    "goals",
    "expertise",
    "skills",
    "skills_offered",
    "skills_wanted",
    "seniority",
    "languages",
    "timezone",
    "availability",
    "format",
    "city",
    "cadence",
    "department",
    "working_style",
    "capacity",
    "identity",
    "prefer_shared_identity",
    "exclude",
    "manager",
)
IDENTITY_COLUMNS = ("identity", "prefer_shared_identity")
IMPORT_ROLES = ("mentee", "mentor")
TEXT_LIMITS = {
    "name": 300,
    "goals": 4000,
    "expertise": 4000,
    "city": 120,
    "department": 120,
    "id": 120,
}

# --- file-level messages ---
FILE_TOO_LARGE = (
    "The file is {size:.1f} MB; the limit is {limit} MB. Split it into smaller "
    "files and import them one after another."
)
FILE_EMPTY = "The file is empty. Export your sheet again and upload the result."
FILE_TYPE = "Upload a .csv (UTF-8) or .xlsx file."
FILE_OLD_EXCEL = (
    "Old .xls workbooks are not supported. In your spreadsheet program choose "
    "Save As → Excel Workbook (.xlsx) or CSV UTF-8, then upload that."
)
BAD_ENCODING = (
    "The file is not UTF-8 text. In Excel choose File → Save As → "
    "'CSV UTF-8 (Comma delimited) (*.csv)' (or in LibreOffice tick 'Unicode "
    "(UTF-8)'), then upload the new file."
)
NOT_A_WORKBOOK = (
    "This file could not be opened as an Excel workbook (.xlsx). Save it again "
    "from your spreadsheet program as .xlsx or as CSV UTF-8."
)
BAD_CSV = "The CSV could not be read ({error}). Save it again as CSV UTF-8."
MISSING_COLUMNS = (
    "The header row (row 1) lacks the required column(s): {columns}. Add them and upload again."
)
DUPLICATE_COLUMN = "The header row (row 1) has the column {column!r} twice; keep one."
NO_ROWS = "The file has a header row but no participants. Add one row per person below the header."
UNKNOWN_COLUMN = "Column {column!r} is not used and will be ignored."
IDENTITY_IGNORED = (
    "Identity columns are ignored: people state their identity themselves in Tandem, "
    "so the values in {columns} were not read and are not kept."
)
HEADER_CONTROL = "The header row (row 1) contains control characters; type the column names again."
CONTROL_CHARACTER = (
    "This cell contains a control character (such as NUL, {code}) that cannot be stored; "
    "retype the cell or save the file again as CSV UTF-8."
)

# --- cell messages (each says what to change) ---
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
MANAGER_EMAIL_MAX_LENGTH = Profile._meta.get_field("manager_email").max_length
MANAGER_TOO_LONG = "Use an email address of at most {limit} characters (this one has {length})."
ROLE_INVALID = "Role must be mentee or mentor (got {value!r})."
DUPLICATE_ROW = "Row {other} already has {email} as {role}; keep only one of the two rows."
SENIORITY_INVALID = (
    "Seniority must be a whole number from 0 (student) to 10 (executive), got {value!r}."
)
LANGUAGE_INVALID = (
    "Unknown language code(s): {codes}. Use two-letter ISO 639-1 codes separated "
    "by ';', e.g. en;pt."
)
TIMEZONE_INVALID = "{value!r} is not a time zone; use an IANA name such as Europe/Berlin."
AVAILABILITY_INVALID = (
    "{error} Separate several windows with ';', e.g. Mon 09:00-12:00; Thu 18:00-20:00."
)
FORMAT_INVALID = "Format must be virtual, in_person or any (got {value!r})."
CADENCE_INVALID = "Cadence must be weekly, biweekly, monthly or quarterly (got {value!r})."
CAPACITY_INVALID = (
    "Capacity must be a whole number from 1 to {max} (how many mentees at once), got {value!r}."
)
CAPACITY_MENTEE = "Only mentors have a capacity; leave this cell empty on mentee rows."
WORKING_STYLE_INVALID = (
    "Write working_style like structure=4;pace=2 with answers 1-5 to: {keys} (got {value!r})."
)
BOOL_INVALID = "Write yes or no (got {value!r})."
TOO_LONG = "Use at most {limit} characters (this cell has {length})."
TOO_MANY_SKILLS = "List at most {limit} skills."
SKILL_INVALID = "{error}"
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

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_HEADER_SEP = re.compile(r"[\s\-]+")
skill_slug = lru_cache(maxsize=8192)(_skill_slug)  # the same few hundred skills repeat
skill_normalise = lru_cache(maxsize=8192)(_skill_normalise)
_FORMATS = frozenset(MeetingFormat.values)
_CADENCES = frozenset(Cadence.values)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, cells by column)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # cells refused while reading


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


def normalise_header(name: str) -> str:
    return _HEADER_SEP.sub("_", (name or "").strip().lower())


def check_upload(*, filename: str, size: int) -> None:
    """What can be refused before the file is read: its size and its type."""
    if size > MAX_UPLOAD_BYTES:
        _file_error(
            FILE_TOO_LARGE.format(size=size / 1024 / 1024, limit=MAX_UPLOAD_BYTES // 1024 // 1024)
        )
    if not size:
        _file_error(FILE_EMPTY)
    lower = (filename or "").lower()
    if lower.endswith(".xls"):
        _file_error(FILE_OLD_EXCEL)
    if "." in lower and not lower.endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        _file_error(FILE_TYPE)


def read_table(*, filename: str, content: bytes) -> Table:
    """The sheet as rows of stripped strings; raises ``ApplicationError`` (field ``file``)."""
    check_upload(filename=filename, size=len(content))
    if not content.strip():
        _file_error(FILE_EMPTY)
    try:
        raw_rows = text_rows(iter_rows(filename=filename or "", content=content, sniff=True))
    except SheetTooLarge as error:
        _file_error(str(error))
    except UnicodeDecodeError:
        _file_error(BAD_ENCODING)
    except csv.Error as error:
        _file_error(BAD_CSV.format(error=error))
    except Exception:  # zipfile and expat raise many types for broken parts
        _file_error(NOT_A_WORKBOOK)
    if not is_workbook(filename, content):  # typed XLSX cells need no formula escape
        raw_rows = [(number, [unescape_cell(cell) for cell in cells]) for number, cells in raw_rows]
    return _table(raw_rows)


def _file_error(message: str):
    raise ApplicationError(message, fields={"file": message})


FORMULA_STARTS = ("=", "+", "-", "@")


def escape_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula: an apostrophe goes in front
    of a leading ``=``, ``+``, ``-`` or ``@`` (and of an apostrophe already there, so that
    :func:`unescape_cell` gives back exactly ``text``).

    >>> escape_cell("=HYPERLINK(1)"), escape_cell("'=x"), escape_cell("plain")
    ("'=HYPERLINK(1)", "''=x", 'plain')
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The text :func:`escape_cell` protected: one leading apostrophe before a formula start
    (or before more apostrophes and one) is taken off. CSV only: XLSX cells are typed.

    >>> unescape_cell("'=HYPERLINK(1)"), unescape_cell("''=x"), unescape_cell("'quoted'")
    ('=HYPERLINK(1)', "'=x", "'quoted'")
    """
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _table(raw_rows: list[tuple[int, list[str]]]) -> Table:
    """``raw_rows`` are the non-blank rows with their spreadsheet numbers."""
    if not raw_rows:
        _file_error(FILE_EMPTY)
    if any(unwanted_character(name) for name in raw_rows[0][1]):
        _file_error(HEADER_CONTROL)
    header = [normalise_header(name) for name in raw_rows[0][1]]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            _file_error(DUPLICATE_COLUMN.format(column=name))
        seen.add(name)
    missing = [column for column in REQUIRED_COLUMNS if column not in seen]
    if missing:
        _file_error(MISSING_COLUMNS.format(columns=", ".join(missing)))
    warnings = [
        UNKNOWN_COLUMN.format(column=name) for name in header if name and name not in COLUMNS
    ]
    ignored = [name for name in header if name in IDENTITY_COLUMNS]
    if ignored:
        warnings.insert(0, IDENTITY_IGNORED.format(columns=", ".join(ignored)))
    read = [(i, name) for i, name in enumerate(header) if name in COLUMNS and name not in ignored]
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    for number, raw in raw_rows[1:]:
        cells = {name: (raw[i].strip() if i < len(raw) else "") for i, name in read}
        for name, value in cells.items():
            if character := unwanted_character(value):
                code = character_code(character)
                errors.append(RowError(number, name, CONTROL_CHARACTER.format(code=code)))
                cells[name] = ""  # the value goes no further than this check
        rows.append((number, cells))
    if not rows:
        _file_error(NO_ROWS)
    return Table(header=header, rows=rows, warnings=warnings, errors=errors)


# --- checking ---------------------------------------------------------------------------------


def check_rows(table: Table) -> tuple[list[ParsedRow], list[RowError]]:
    """Validate every cell of every row; return the parsed rows and ALL errors found.

    Rows whose email and role are usable are returned even when other cells are wrong (those
    fields are ``None``), so later checks can still report their problems.
    """
    parsed: list[ParsedRow] = []
    errors: list[RowError] = list(table.errors)
    seen: dict[tuple[str, str], int] = {}
    ids: dict[str, tuple[str, int]] = {}
    for number, cells in table.rows:
        row_errors: list[RowError] = []
        row = _check_row(number, cells, row_errors)
        if row is not None:
            key = (row.email, row.role)
            if key in seen:
                row_errors.append(
                    RowError(
                        number,
                        "email",
                        DUPLICATE_ROW.format(other=seen[key], email=row.email, role=row.role),
                    )
                )
            else:
                seen[key] = number
            if row.external_id:
                owner = ids.get(row.external_id)
                if owner and owner[0] != row.email:
                    row_errors.append(
                        RowError(
                            number,
                            "id",
                            ID_CONFLICT.format(value=row.external_id, other=owner[0], row=owner[1]),
                        )
                    )
                ids.setdefault(row.external_id, (row.email, number))
        errors.extend(row_errors)
        if row is not None:
            # Rows with cell errors are still planned, so reference problems (manager,
            # exclude, id) are reported in the same pass; nothing is written while any
            # error exists.
            parsed.append(row)
    return parsed, errors


def _check_row(number: int, cells: dict[str, str], errors: list[RowError]) -> ParsedRow | None:
    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    email = cells.get("email", "").lower()
    if not email:
        fail("email", EMAIL_REQUIRED)
    else:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", EMAIL_INVALID.format(value=cells["email"]))
        if len(email) > ACCOUNT_EMAIL_MAX_LENGTH:
            fail("email", EMAIL_TOO_LONG.format(limit=ACCOUNT_EMAIL_MAX_LENGTH, length=len(email)))
    role = cells.get("role", "").lower()
    if role not in IMPORT_ROLES:
        fail("role", ROLE_INVALID.format(value=cells.get("role", "")))
    row = ParsedRow(row=number, email=email, role=role)

    for column, limit in TEXT_LIMITS.items():
        value = cells.get(column, "")
        if len(value) > limit:
            fail(column, TOO_LONG.format(limit=limit, length=len(value)))
    row.external_id = cells.get("id") or None
    row.name = " ".join(cells.get("name", "").split()) or None
    if row.name:
        for part, text in zip(("first", "last"), row.name.partition(" ")[::2], strict=True):
            if len(text) > NAME_MAX_LENGTH:
                fail(
                    "name",
                    NAME_PART_TOO_LONG.format(limit=NAME_MAX_LENGTH, part=part, length=len(text)),
                )
    row.goals = cells.get("goals") or None
    row.expertise = cells.get("expertise") or None
    row.city = " ".join(cells.get("city", "").split()) or None
    row.department = " ".join(cells.get("department", "").split()) or None

    skills = _skills(cells, "skills", fail)
    row.skills_offered = _skills(cells, "skills_offered", fail)
    row.skills_wanted = _skills(cells, "skills_wanted", fail)
    if skills is not None:
        if role == "mentor" and row.skills_offered is None:
            row.skills_offered = skills
        elif role == "mentee" and row.skills_wanted is None:
            row.skills_wanted = skills

    if value := cells.get("seniority"):
        try:
            number_value = float(value)
        except ValueError:
            number_value = -1.0
        if not number_value.is_integer() or not 0 <= number_value <= 10:
            fail("seniority", SENIORITY_INVALID.format(value=value))
        else:
            row.seniority = int(number_value)
    if value := cells.get("languages"):
        codes = list(
            dict.fromkeys(code.strip().lower() for code in value.split(";") if code.strip())
        )
        unknown = [code for code in codes if code not in LANGUAGES]
        if unknown:
            fail("languages", LANGUAGE_INVALID.format(codes=", ".join(unknown)))
        row.languages = codes
    if value := cells.get("timezone"):
        try:
            row.timezone = check_timezone(value)
        except ApplicationError:
            fail("timezone", TIMEZONE_INVALID.format(value=value))
    if value := cells.get("availability"):
        try:
            row.availability = parse_windows(value.split(";"))
        except AvailabilityError as error:
            fail("availability", AVAILABILITY_INVALID.format(error=error))
    if value := cells.get("format"):
        choice = value.lower().replace("-", "_").replace(" ", "_")
        if choice not in _FORMATS:
            fail("format", FORMAT_INVALID.format(value=value))
        row.meeting_format = choice
    if value := cells.get("cadence"):
        if value.lower() not in _CADENCES:
            fail("cadence", CADENCE_INVALID.format(value=value))
        row.cadence = value.lower()
    if value := cells.get("working_style"):
        row.working_style = _working_style(value, fail)
    if value := cells.get("capacity"):
        if role == "mentee":
            fail("capacity", CAPACITY_MENTEE)
        else:
            try:
                capacity = float(value)
            except ValueError:
                capacity = 0.0
            if not capacity.is_integer() or not 1 <= capacity <= CAPACITY_MAX:
                fail("capacity", CAPACITY_INVALID.format(max=CAPACITY_MAX, value=value))
            else:
                row.capacity = int(capacity)
    if value := cells.get("exclude"):
        row.exclude = list(
            dict.fromkeys(
                token.strip().lower() if "@" in token else token.strip()
                for token in value.split(";")
                if token.strip()
            )
        )
        if email and email in row.exclude:
            fail("exclude", EXCLUDE_SELF.format(value=email))
    if value := cells.get("manager"):
        manager = value.lower()
        try:
            validate_email(manager)
        except ValidationError:
            fail("manager", MANAGER_INVALID.format(value=value))
        if len(manager) > MANAGER_EMAIL_MAX_LENGTH:
            limit = MANAGER_EMAIL_MAX_LENGTH
            fail("manager", MANAGER_TOO_LONG.format(limit=limit, length=len(manager)))
        if manager == email:
            fail("manager", MANAGER_SELF)
        row.manager = manager
    return row if email and role in IMPORT_ROLES else None


def _skills(cells: dict[str, str], column: str, fail) -> list[str] | None:
    value = cells.get(column, "")
    if not value:
        return None
    names: list[str] = []
    slugs: set[str] = set()
    for part in value.split(";"):
        if not part.strip():
            continue
        try:
            name = skill_normalise(part)
        except ApplicationError as error:
            fail(column, SKILL_INVALID.format(error=error.message))
            return None
        if skill_slug(name) not in slugs:
            slugs.add(skill_slug(name))
            names.append(name)
    if len(names) > MAX_SKILLS:
        fail(column, TOO_MANY_SKILLS.format(limit=MAX_SKILLS))
    return names


def _working_style(value: str, fail) -> dict[str, int] | None:
    answers: dict[str, int] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        key, _, number = part.partition("=")
        key = key.strip().lower()
        if (
            key not in WORKING_STYLE_QUESTIONS
            or not number.strip().isdigit()
            or int(number) not in WORKING_STYLE_SCALE
        ):
            fail(
                "working_style",
                WORKING_STYLE_INVALID.format(keys=", ".join(WORKING_STYLE_QUESTIONS), value=value),
            )
            return None
        answers[key] = int(number)
    return answers
