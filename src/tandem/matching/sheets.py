"""Reading participant sheets (CSV or the first sheet of an XLSX workbook) within limits.

One bounded row reader for every entry point (the import and ``tandem match``), with one set of
limit messages. A workbook is a zip of XML whose ``<dimension>``, cell positions and number of
cells are chosen by whoever wrote the file: a 26 KB file can hold a million empty cells in one
row. So the workbook is never handed to a library that builds a row (or a sheet) before a limit
is checked: :func:`iter_xlsx_rows` checks the zip's unpacked size, then stream-parses the
worksheet XML with expat, counts EVERY ``<c>`` element (filled or not) as it arrives and keeps
no element: memory is one row of at most ``max_columns`` values plus the shared-string table.

Limits (each message names the limit it hit):

- ``MAX_ROWS`` participant rows (the header is not counted; blank rows are skipped);
- ``MAX_COLUMNS`` columns: content further right is refused, and so is a row holding more than
  ``MAX_COLUMNS`` cell elements (an XLSX row writes one element per filled or formatted cell);
- ``MAX_CELLS`` cells in all (XLSX: cell elements, filled or not, and shared strings; CSV:
  filled cells);
- ``MAX_UNCOMPRESSED_BYTES``, the sum of a workbook's unpacked parts. A cell costs about 40
  bytes of sheet XML (``<c r="W50001" s="3" t="s"><v>123456</v></c>``): the 1,500,000 cells
  allowed come to ~60 MB, with their texts in the shared strings on top. The limit, 64 MB,
  keeps the sheet's cells within reach of ``MAX_CELLS`` (a participant row has ~20 columns:
  50,000 of them are ~45 MB unpacked, about 6 MB zipped, over the import's 5 MB upload limit
  anyway) while bounding the parse time of a hostile file to a few seconds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import posixpath
import zipfile
from collections.abc import Iterable, Iterator
from os import PathLike
from typing import IO
from xml.parsers import expat

MAX_ROWS = 50_000
MAX_COLUMNS = 64
MAX_CELLS = 1_500_000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_XML_DEPTH = 64  # a worksheet nests 7 deep; deeper is not a spreadsheet
# per part: a cell is at most 3 elements (<c><is><t>), plus one <row> per row Excel allows
MAX_XML_ELEMENTS = 3 * MAX_CELLS + 1_048_576
MAX_RELATIONSHIPS = 10_000
CHUNK_BYTES = 64 * 1024

TOO_MANY_ROWS = "The file has more than {limit:,} participant rows; split it into several files."
TOO_MANY_COLUMNS = (
    "Row {row} has content to the right of column {limit}; at most {limit} columns are read. "
    "Delete the columns on the right that are not participant data."
)
TOO_MANY_ROW_CELLS = (
    "Row {row} has more than {limit} cells (filled or formatted); at most {limit} columns are "
    "read. Delete the columns on the right that are not participant data."
)
TOO_MANY_CELLS = "The file has more than {limit:,} cells; split it into several files."
TOO_MANY_ELEMENTS = (
    "The workbook holds more than {limit:,} XML elements in one part, far more than its cells "
    "need; save it again as CSV UTF-8 or split it."
)
TOO_LARGE_UNZIPPED = (
    "The workbook unpacks to more than {limit} MB; save it again as CSV UTF-8 or split it."
)

_SHEET = "/officeDocument/2006/relationships/worksheet"
_STRINGS = "/officeDocument/2006/relationships/sharedStrings"
_STYLES = "/officeDocument/2006/relationships/styles"
_DOCUMENT = "/officeDocument/2006/relationships/officeDocument"


class SheetTooLarge(ValueError):
    """A file crossed one of the reader's limits; ``str()`` says which."""


class NotAWorkbook(ValueError):
    """The file is not a workbook this reader understands."""


# --- CSV ----------------------------------------------------------------------------------------


def iter_csv_rows(
    text: str,
    *,
    sniff: bool = False,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_cells: int = MAX_CELLS,
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(record number, stripped cells)`` for the non-blank records of CSV ``text``.

    Parameters
    ----------
    text : str
        The decoded file.
    sniff : bool
        Guess the delimiter (``,``, ``;`` or tab) from the first 4 KB instead of using ``,``.
    max_rows, max_columns, max_cells : int
        Limits on participant rows (after the header), the column of any filled cell and the
        filled cells in all.

    Returns
    -------
    iterator of (int, list of str)
        Record number (from 1, as a spreadsheet numbers rows) and at most ``max_columns``
        stripped cells; records whose cells are all blank are skipped.

    Raises
    ------
    SheetTooLarge
        As soon as a limit is crossed.
    csv.Error
        When the text is not CSV.

    Examples
    --------
    >>> list(iter_csv_rows("email, role\\n\\na@example.org,mentee\\n"))
    [(1, ['email', 'role']), (3, ['a@example.org', 'mentee'])]
    """
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    if sniff and text:
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    limits = _Limits(max_rows, max_columns, max_cells)
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        cells = [cell.strip() for cell in row[:max_columns]]
        filled = sum(1 for cell in cells if cell)
        if any(cell.strip() for cell in row[max_columns:]):
            raise SheetTooLarge(TOO_MANY_COLUMNS.format(row=number, limit=max_columns))
        if filled:
            limits.count_cells(filled)
            limits.count_row()
            while cells and not cells[-1]:
                cells.pop()
            yield number, cells


class _Limits:
    def __init__(self, max_rows: int, max_columns: int, max_cells: int):
        self.max_rows, self.max_columns, self.max_cells = max_rows, max_columns, max_cells
        self.rows = self.cells = 0

    def count_row(self) -> None:
        self.rows += 1
        if self.rows > self.max_rows + 1:  # the header is not a participant
            raise SheetTooLarge(TOO_MANY_ROWS.format(limit=self.max_rows))

    def count_cells(self, number: int = 1) -> None:
        self.cells += number
        if self.cells > self.max_cells:
            raise SheetTooLarge(TOO_MANY_CELLS.format(limit=self.max_cells))


# --- XLSX ---------------------------------------------------------------------------------------


def iter_xlsx_rows(
    source: str | PathLike | IO[bytes],
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_cells: int = MAX_CELLS,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> Iterator[tuple[int, list]]:
    """Yield ``(row number, cell values)`` for the first worksheet's non-blank rows.

    Parameters
    ----------
    source : path or binary file object
        The workbook.
    max_rows, max_columns, max_cells, max_uncompressed : int
        Limits on participant rows (after the header), columns (the column of a filled cell and
        the cell elements in one row), cell elements and shared strings in all, and the sum of
        the zip members' unpacked sizes.

    Returns
    -------
    iterator of (int, list)
        Spreadsheet row number (from 1) and values (``None`` for empty; ``str``, ``int``,
        ``float``, ``bool``, ``datetime``/``time``/``timedelta`` as openpyxl reads them with
        ``data_only=True``) up to the last filled cell, at most ``max_columns`` wide.

    Raises
    ------
    SheetTooLarge
        When a limit is crossed (checked before or while reading, never after).
    NotAWorkbook, zipfile.BadZipFile, expat.ExpatError, KeyError, ValueError, OSError
        When the file is not a workbook.

    Notes
    -----
    Memory is one row of ``max_columns`` values, the shared strings (at most ``max_cells``)
    and a 64 KB parse buffer, whatever the XML declares; time grows with the XML actually
    present, which ``max_uncompressed`` and ``max_cells`` bound. Formulas give their cached
    value; rich text gives its plain text.

    Examples
    --------
    >>> import io
    >>> from openpyxl import Workbook
    >>> book = Workbook(); book.active.append(["email", "role", 2]); buffer = io.BytesIO()
    >>> book.save(buffer); _ = buffer.seek(0)
    >>> list(iter_xlsx_rows(buffer))
    [(1, ['email', 'role', 2])]
    """
    limits = _Limits(max_rows, max_columns, max_cells)
    with zipfile.ZipFile(source) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > max_uncompressed:
            raise SheetTooLarge(TOO_LARGE_UNZIPPED.format(limit=max_uncompressed // 1024 // 1024))
        parts = _workbook_parts(archive)
        strings = _shared_strings(archive, parts.strings, limits) if parts.strings else []
        dates, durations = _date_styles(archive, parts.styles) if parts.styles else (set(), set())
        reader = _SheetReader(strings, dates, durations, parts.epoch, limits)
        with archive.open(parts.sheet) as xml:
            yield from reader.rows(xml)


class _Parts:
    def __init__(self, sheet: str, strings: str | None, styles: str | None, epoch):
        self.sheet, self.strings, self.styles, self.epoch = sheet, strings, styles, epoch


def _parse(xml: IO[bytes], start=None, end=None, text=None) -> Iterator[None]:
    """Feed ``xml`` to expat in chunks, yielding after each so callers can hand on results.
    Refuses a DOCTYPE (no spreadsheet has one; entities would be a bomb of their own), nesting
    deeper than ``MAX_XML_DEPTH`` and more than ``MAX_XML_ELEMENTS`` elements (what the
    largest sheet within the cell limit needs: a bomb of empty elements costs no more time)."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    depth = elements = 0
    local: dict[str, str] = {}  # "{namespace}name" -> "name"

    def on_start(name, attrs):
        nonlocal depth, elements
        depth += 1
        elements += 1
        if depth > MAX_XML_DEPTH:
            raise NotAWorkbook("XML nested too deep")
        if elements > MAX_XML_ELEMENTS:
            raise SheetTooLarge(TOO_MANY_ELEMENTS.format(limit=MAX_XML_ELEMENTS))
        if start:
            start(local.get(name) or local.setdefault(name, name.rpartition("}")[2]), attrs)

    def on_end(name):
        nonlocal depth
        depth -= 1
        if end:
            end(local.get(name) or local.setdefault(name, name.rpartition("}")[2]))

    def refuse(*_args):
        raise NotAWorkbook("a DOCTYPE in a workbook part")

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.StartDoctypeDeclHandler = refuse
    if text:
        parser.CharacterDataHandler = text
    while chunk := xml.read(CHUNK_BYTES):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """``id -> (type, member name)`` of a part's relationships."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if path not in archive.NameToInfo:
        return found

    def start(tag, attrs):
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            if len(found) >= MAX_RELATIONSHIPS:
                raise NotAWorkbook("too many relationships")
            target = attrs.get("Target", "")
            member = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(member))

    with archive.open(path) as xml:
        for _ in _parse(xml, start=start):
            pass
    return found


def _workbook_parts(archive: zipfile.ZipFile) -> _Parts:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

    document = next(
        (
            member
            for kind, member in _relationships(archive, "").values()
            if kind.endswith(_DOCUMENT)
        ),
        "xl/workbook.xml",
    )
    related = _relationships(archive, document)
    state: dict = {"sheet": None, "date1904": False}

    def start(tag, attrs):
        if tag == "workbookPr":
            state["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet" and state["sheet"] is None:
            rid = next((value for key, value in attrs.items() if key.endswith("}id")), None)
            kind, member = related.get(rid, ("", ""))
            if kind.endswith(_SHEET):
                state["sheet"] = member

    with archive.open(document) as xml:
        for _ in _parse(xml, start=start):
            pass
    if state["sheet"] is None:
        raise NotAWorkbook("no worksheet")

    def first(kind: str) -> str | None:
        return next((member for k, member in related.values() if k.endswith(kind)), None)

    epoch = CALENDAR_MAC_1904 if state["date1904"] else WINDOWS_EPOCH
    return _Parts(state["sheet"], first(_STRINGS), first(_STYLES), epoch)


class _Text:
    """Collects the plain text of a ``<si>`` or ``<is>`` element: its own ``<t>`` and those of
    its rich-text runs ``<r>``, not the phonetic ``<rPh>`` guide (as openpyxl's ``Text``)."""

    def __init__(self):
        self.parts: list[str] = []
        self.path: list[str] = []
        self.capturing = False

    def start(self, tag: str) -> None:
        self.path.append(tag)
        self.capturing = tag == "t" and (len(self.path) == 1 or self.path[-2] == "r")

    def end(self) -> None:
        self.path.pop()
        self.capturing = False

    def text(self, data: str) -> None:
        if self.capturing:
            self.parts.append(data)

    def value(self) -> str:
        return "".join(self.parts)


def _shared_strings(archive: zipfile.ZipFile, member: str, limits: _Limits) -> list[str]:
    strings: list[str] = []
    state: dict = {"text": None}

    def start(tag, attrs):
        if state["text"] is not None:
            state["text"].start(tag)
        elif tag == "si":
            limits.count_cells()  # a table larger than the cells allowed is refused
            state["text"] = _Text()

    def end(tag):
        current = state["text"]
        if current is None:
            return
        if current.path:
            current.end()
        else:
            strings.append(current.value().replace("x005F_", ""))
            state["text"] = None

    def text(data):
        if state["text"] is not None:
            state["text"].text(data)

    limits.cells = 0
    with archive.open(member) as xml:
        for _ in _parse(xml, start=start, end=end, text=text):
            pass
    limits.cells = 0  # the sheet's cells are counted on their own
    return strings


def _date_styles(archive: zipfile.ZipFile, member: str) -> tuple[set[int], set[int]]:
    """The cell style indexes (``s=``) whose number format is a date, and a duration."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    path: list[str] = []

    def start(tag, attrs):
        path.append(tag)
        if tag == "numFmt" and path[-2:-1] == ["numFmts"]:
            custom[int(attrs.get("numFmtId", 0))] = attrs.get("formatCode", "")
        elif tag == "xf" and path[-2:-1] == ["cellXfs"]:
            formats.append(int(attrs.get("numFmtId", 0)))
            if len(formats) > 65_536:  # Excel's own limit is 64,000 cell formats
                raise NotAWorkbook("too many cell formats")

    def end(tag):
        path.pop()

    with archive.open(member) as xml:
        for _ in _parse(xml, start=start, end=end):
            pass
    dates, durations = set(), set()
    for index, number in enumerate(formats):
        code = custom.get(number, BUILTIN_FORMATS.get(number))
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    if not letters or len(letters) > 3 or not letters.isalpha() or not letters.isascii():
        raise NotAWorkbook(f"bad cell reference {reference!r}")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _SheetReader:
    """Expat handlers for one worksheet: finished rows are queued for :meth:`rows`."""

    def __init__(self, strings, dates, durations, epoch, limits: _Limits):
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.limits = limits
        self.done: list[tuple[int, list]] = []
        self.row_number = 0
        self.values: list | None = None  # the current row's, up to max_columns
        self.in_row_cells = 0
        self.column = 0
        self.cell: dict | None = None  # type, style and text parts of the current <c>
        self.value_parts: list[str] | None = None
        self.inline: _Text | None = None
        self.in_data = False

    def rows(self, xml: IO[bytes]) -> Iterator[tuple[int, list]]:
        for _ in _parse(xml, start=self.start, end=self.end, text=self.text):
            yield from self.done
            self.done.clear()

    def start(self, tag: str, attrs: dict) -> None:
        if self.inline is not None:
            self.inline.start(tag)
        elif tag == "sheetData":
            self.in_data = True
        elif not self.in_data:
            return
        elif tag == "row":
            self.start_row(attrs.get("r"))
        elif tag == "c" and self.values is not None:
            self.start_cell(attrs)
        elif self.cell is not None and tag == "v":
            self.value_parts = []
        elif self.cell is not None and tag == "is":
            self.inline = _Text()

    def start_row(self, number: str | None) -> None:
        if number is None:
            self.row_number += 1
        else:
            value = float(number)
            if not value.is_integer():
                raise ValueError(f"{number} is not a valid row number")
            self.row_number = int(value)
        self.values, self.in_row_cells, self.column = [], 0, 0

    def start_cell(self, attrs: dict) -> None:
        self.limits.count_cells()
        self.in_row_cells += 1
        if self.in_row_cells > self.limits.max_columns:
            limit = self.limits.max_columns
            raise SheetTooLarge(TOO_MANY_ROW_CELLS.format(row=self.row_number, limit=limit))
        reference = attrs.get("r")
        self.column = _column(reference) if reference else self.column + 1
        self.cell = {"t": attrs.get("t", "n"), "s": int(attrs.get("s") or 0), "v": None}

    def text(self, data: str) -> None:
        if self.inline is not None:
            self.inline.text(data)
        elif self.value_parts is not None:
            self.value_parts.append(data)

    def end(self, tag: str) -> None:
        if self.inline is not None:
            if self.inline.path:
                self.inline.end()
                return
            if self.cell is not None and self.cell["t"] == "inlineStr":
                self.cell["v"] = self.inline.value()
                self.cell["inline"] = True
            self.inline = None
        elif tag == "v" and self.value_parts is not None:
            if self.cell is not None and "v_seen" not in self.cell:
                self.cell["v"] = "".join(self.value_parts) or None
                self.cell["v_seen"] = True
            self.value_parts = None
        elif tag == "c" and self.cell is not None:
            self.end_cell()
        elif tag == "row" and self.values is not None:
            self.end_row()
        elif tag == "sheetData":
            self.in_data = False

    def end_cell(self) -> None:
        value = self.cell_value(self.cell)
        self.cell = None
        limit = self.limits.max_columns
        if self.column > limit:
            if value is not None and value != "":
                raise SheetTooLarge(TOO_MANY_COLUMNS.format(row=self.row_number, limit=limit))
            return
        values = self.values
        if len(values) < self.column:
            values.extend([None] * (self.column - len(values)))
        values[self.column - 1] = value

    def end_row(self) -> None:
        values, self.values = self.values, None
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if values:
            self.limits.count_row()
            self.done.append((self.row_number, values))

    def cell_value(self, cell: dict):
        """The value as openpyxl's ``WorkSheetParser.parse_cell`` gives it (``data_only``)."""
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        kind, value = cell["t"], cell["v"]
        if kind == "inlineStr":
            return value if cell.get("inline") else None
        if value is None:
            return None
        if kind == "n":
            number = float(value) if any(c in value for c in ".Ee") else int(value)
            if cell["s"] not in self.dates:
                return number
            try:
                return from_excel(number, self.epoch, timedelta=cell["s"] in self.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        if kind == "s":
            return self.strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's text), "e" (an error such as #N/A)


def iter_rows(
    *,
    filename: str,
    content: bytes,
    sniff: bool = False,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_cells: int = MAX_CELLS,
) -> Iterator[tuple[int, list]]:
    """The bounded rows of a participant file: XLSX when the name or the content says so
    (values typed as :func:`iter_xlsx_rows` gives them), else UTF-8 CSV (strings).

    Raises
    ------
    SheetTooLarge
        A limit was crossed.
    UnicodeDecodeError, csv.Error
        A CSV that is not UTF-8 or not CSV.
    NotAWorkbook, zipfile.BadZipFile, expat.ExpatError, KeyError, ValueError
        An XLSX that cannot be read.

    >>> list(iter_rows(filename="a.csv", content=b"\\xef\\xbb\\xbfid\\na\\n"))
    [(1, ['id']), (2, ['a'])]
    """
    limits = {"max_rows": max_rows, "max_columns": max_columns, "max_cells": max_cells}
    if is_workbook(filename, content):
        return iter_xlsx_rows(io.BytesIO(content), **limits)
    return iter_csv_rows(content.decode("utf-8-sig"), sniff=sniff, **limits)


def is_workbook(filename: str, content: bytes) -> bool:
    """Whether :func:`iter_rows` reads ``content`` as XLSX (by its name or its zip header)."""
    return (filename or "").lower().endswith((".xlsx", ".xlsm")) or content[:4] == b"PK\x03\x04"


def cell_text(value) -> str:
    """A cell value as the text a person would have typed: ``yes``/``no`` for booleans,
    whole numbers without ``.0``, ISO dates.

    >>> [cell_text(v) for v in (None, True, 7.0, 7.5, "x")]
    ['', 'yes', '7', '7.5', 'x']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def text_rows(rows: Iterable[tuple[int, list]]) -> list[tuple[int, list[str]]]:
    """Every row's values through :func:`cell_text`."""
    return [(number, [cell_text(value) for value in values]) for number, values in rows]
