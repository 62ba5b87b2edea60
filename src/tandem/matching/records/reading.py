"""Reading a participant file (CSV or XLSX) into records, with errors by row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1. :func:`read_rows` turns the
file into rows of text through the one bounded reader (:mod:`tandem.matching.sheets`), or raises
:class:`FileError` for a file that cannot be read at all; :func:`parse_records` reads every
cell through its column (:mod:`tandem.matching.records.columns`), collecting EVERY problem as a
:class:`RowError`. Errors are plain data, so the import shows them as a row-numbered report,
``tandem match`` prints them as ``file:row:column: message``, and forms map them to fields.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tandem.matching import sheets
from tandem.matching.records.cells import ROLE_INVALID, CellError
from tandem.matching.records.columns import (
    BY_NAME,
    CAPACITY_MENTEE,
    column_for,
    normalise_header,
)

# Said on the import page and by ``tandem match`` in a terminal alike: "use", not "upload".
FILE_EMPTY = "The file is empty. Export your sheet again and use the result."
NO_ROWS = "The file has a header row but no participants. Add one row per person below the header."
BAD_ENCODING = (
    "The file is not UTF-8 text. In Excel choose File → Save As → "
    "'CSV UTF-8 (Comma delimited) (*.csv)' (or in LibreOffice tick 'Unicode "
    "(UTF-8)'), then use the new file."
)
BAD_ENCODING_UTF16 = (
    "The file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8. In Excel choose File → Save "
    "As → 'CSV UTF-8 (Comma delimited) (*.csv)', then use the new file."
)
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # the byte-order marks UTF-16 text starts with
NOT_A_WORKBOOK = (
    "This file could not be opened as an Excel workbook (.xlsx). Save it again "
    "from your spreadsheet program as .xlsx or as CSV UTF-8."
)
BAD_CSV = "The CSV could not be read ({error}). Save it again as CSV UTF-8."
MISSING_COLUMN = "The header row (row 1) lacks the required column {column!r}; add it."
DUPLICATE_COLUMN = "The header row (row 1) has the column {column!r} twice; keep one."
UNKNOWN_COLUMN = "Column {column!r} is not used and will be ignored."
# A spreadsheet runs a CSV cell starting with these as a formula; OWASP's list ("CSV
# Injection") includes the tab and the carriage return, which slipped past the first four
# (I/O review: a department "\t=1+1" went out as it was).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileError(ValueError):
    """The file cannot be read at all (encoding, format, a size limit, no rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (1 is the header) and the column it is in."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Record:
    """One participant row: ``values`` holds the filled cells that passed their column's rule,
    by column name (an empty cell is absent: no value given)."""

    row: int
    role: str | None  # None when the row's role is missing or wrong
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class RecordFile:
    """What a file held: the columns read (file order), the records, every error, warnings."""

    columns: list[str]
    records: list[Record]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_rows(
    *, filename: str, content: bytes, max_rows: int = sheets.MAX_ROWS
) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV or XLSX file as text, with their spreadsheet numbers.
    ``max_rows`` bounds the participant rows (and, at the same width per row, the cells): an
    upload keeps the reader's default; ``tandem match`` reads files on its own machine.

    A CSV cell that :func:`escape_cell` protected from being run as a formula is given back as
    it was written; workbook cells are typed and need no escape.

    Raises
    ------
    FileError
        Empty, not UTF-8, not CSV, not a readable workbook, or over a limit of the reader.

    Examples
    --------
    >>> read_rows(filename="a.csv", content=b"email,role\\n\\n'=x,mentee\\n")
    [(1, ['email', 'role']), (3, ['=x', 'mentee'])]
    """
    if not content.strip():
        raise FileError(FILE_EMPTY)
    try:
        cells = sheets.MAX_CELLS * max(1, max_rows // sheets.MAX_ROWS)
        rows = sheets.text_rows(
            sheets.iter_rows(filename=filename, content=content, max_rows=max_rows, max_cells=cells)
        )
    except sheets.SheetTooLarge as error:
        raise FileError(str(error)) from None
    except UnicodeDecodeError:
        utf16 = content.startswith(UTF16_MARKS)
        raise FileError(BAD_ENCODING_UTF16 if utf16 else BAD_ENCODING) from None
    except csv.Error as error:
        raise FileError(BAD_CSV.format(error=error)) from None
    except Exception:  # zipfile and expat raise many types for broken parts
        raise FileError(NOT_A_WORKBOOK) from None
    if not sheets.is_workbook(filename, content):
        rows = [(number, [unescape_cell(cell) for cell in cells]) for number, cells in rows]
    if not rows:
        raise FileError(FILE_EMPTY)
    return rows


def parse_records(
    rows: Sequence[tuple[int, Sequence[str]]],
    *,
    role: str | None = None,
    required: Iterable[str] = (),
    ignore: Iterable[str] = (),
    max_rows: int = sheets.MAX_ROWS,
) -> RecordFile:
    """Read every cell of ``rows`` (the header first) through its column.

    Parameters
    ----------
    rows : sequence of (int, sequence of str)
        Spreadsheet row numbers and cells, as :func:`read_rows` gives them.
    role : str, optional
        ``mentee`` or ``mentor`` for a file of one side; without it each row's ``role`` cell
        says.
    required : iterable of str
        Columns the caller needs; a header without one is an error on row 1.
    ignore : iterable of str
        Known columns the caller does not read (their cells are dropped unread).

    Returns
    -------
    RecordFile
        With no records when the header has errors.

    Raises
    ------
    FileError
        When no row follows a header without errors.

    Examples
    --------
    >>> found = parse_records([(1, ["Email", "Role", "Seniority"]), (2, ["a@x.org", "mentee", "7.5"])])
    >>> found.records[0].values, found.errors[0].column
    ({'email': 'a@x.org', 'role': 'mentee'}, 'seniority')
    """  # noqa: E501
    header = [normalise_header(cell) for cell in rows[0][1]]
    known = [column_for(name) for name in header]
    names = [column.name if column else "" for column in known]
    ignored = set(ignore)
    errors = [
        RowError(1, name, DUPLICATE_COLUMN.format(column=name))
        for k, name in enumerate(names)
        if name and name in names[:k]
    ]
    errors += [
        RowError(1, name, MISSING_COLUMN.format(column=name))
        for name in required
        if name not in names
    ]
    warnings = [  # named as written in the file, as the person will look for it
        UNKNOWN_COLUMN.format(column=cell.strip())
        for cell, name, column in zip(rows[0][1], header, known, strict=True)
        if name and column is None
    ]
    read = [(k, name) for k, name in enumerate(names) if name and name not in ignored]
    if errors:
        return RecordFile(columns=[name for _, name in read], records=[], errors=errors)
    if len(rows) < 2:
        raise FileError(NO_ROWS)
    records = [_record(number, cells, read, role, errors) for number, cells in rows[1:]]
    return RecordFile([name for _, name in read], records, errors, warnings)


def _record(
    number: int,
    cells: Sequence[str],
    read: list[tuple[int, str]],
    role: str | None,
    errors: list[RowError],
) -> Record:
    record = Record(row=number, role=role)
    refused = []
    for index, name in read:
        text = cells[index].strip() if index < len(cells) else ""
        if not text:
            continue
        try:
            record.values[name] = BY_NAME[name].parse(text)
        except CellError as error:
            errors.append(RowError(number, name, error.message))
            refused.append(name)
    if role is None:
        value = record.values.get("role")
        record.role = value if isinstance(value, str) else None
        role_read = any(name == "role" for _, name in read)
        if record.role is None and role_read and "role" not in refused:  # it decides the side
            errors.append(RowError(number, "role", ROLE_INVALID.format(value="")))
    if record.role == "mentee" and "capacity" in record.values:
        errors.append(RowError(number, "capacity", CAPACITY_MENTEE))
        del record.values["capacity"]
    skills = record.values.pop("skills", None)
    side = {"mentor": "skills_offered", "mentee": "skills_wanted"}.get(record.role or "")
    if skills is not None and side:
        record.values.setdefault(side, skills)
    return record


def read_records(
    *,
    filename: str,
    content: bytes,
    role: str | None = None,
    required: Iterable[str] = (),
    ignore: Iterable[str] = (),
    max_rows: int = sheets.MAX_ROWS,
) -> RecordFile:
    """:func:`read_rows` then :func:`parse_records`: a participant file as records.

    Raises
    ------
    FileError
        When the file cannot be read at all.

    Examples
    --------
    >>> found = read_records(filename="p.csv", content=b"id,role,languages\\na,mentee,EN;de\\n")
    >>> found.records
    [Record(row=2, role='mentee', values={'id': 'a', 'role': 'mentee', 'languages': ['en', 'de']})]
    """
    rows = read_rows(filename=filename, content=content, max_rows=max_rows)
    return parse_records(rows, role=role, required=required, ignore=ignore)


def escape_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula: an apostrophe goes in front
    of a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return (and of an apostrophe
    already there, so that :func:`unescape_cell` gives back exactly ``text``).

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
