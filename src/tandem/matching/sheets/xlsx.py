"""The first worksheet of an XLSX workbook, stream-parsed with expat (see the package): the
shared strings, the date styles and the rows; finding the parts in the zip is ``package``."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from os import PathLike
from typing import IO

from tandem.matching.sheets.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    TOO_LARGE_UNZIPPED,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROW_CELLS,
    NotAWorkbook,
    SheetTooLarge,
    _Limits,
)
from tandem.matching.sheets.package import parse_part, workbook_parts


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
        parts = workbook_parts(archive)
        strings = _shared_strings(archive, parts.strings, limits) if parts.strings else []
        dates, durations = _date_styles(archive, parts.styles) if parts.styles else (set(), set())
        reader = _SheetReader(strings, dates, durations, parts.epoch, limits)
        with archive.open(parts.sheet) as xml:
            yield from reader.rows(xml)


class _Text:
    """Collects the plain text of a ``<si>`` or ``<is>`` element: its own ``<t>`` and those of
    its rich-text runs ``<r>``, not the phonetic ``<rPh>`` guide (as openpyxl's ``Text``)."""

    def __init__(self) -> None:
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
    state: dict[str, _Text | None] = {"text": None}

    def start(tag: str, attrs: dict[str, str]) -> None:
        current = state["text"]
        if current is not None:
            current.start(tag)
        elif tag == "si":
            limits.count_cells()  # a table larger than the cells allowed is refused
            state["text"] = _Text()

    def end(tag: str) -> None:
        current = state["text"]
        if current is None:
            return
        if current.path:
            current.end()
        else:
            strings.append(current.value().replace("x005F_", ""))
            state["text"] = None

    def text(data: str) -> None:
        current = state["text"]
        if current is not None:
            current.text(data)

    limits.cells = 0
    with archive.open(member) as xml:
        for _ in parse_part(xml, start=start, end=end, text=text):
            pass
    limits.cells = 0  # the sheet's cells are counted on their own
    return strings


def _date_styles(archive: zipfile.ZipFile, member: str) -> tuple[set[int], set[int]]:
    """The cell style indexes (``s=``) whose number format is a date, and a duration."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    path: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        path.append(tag)
        if tag == "numFmt" and path[-2:-1] == ["numFmts"]:
            custom[int(attrs.get("numFmtId", 0))] = attrs.get("formatCode", "")
        elif tag == "xf" and path[-2:-1] == ["cellXfs"]:
            formats.append(int(attrs.get("numFmtId", 0)))
            if len(formats) > 65_536:  # Excel's own limit is 64,000 cell formats
                raise NotAWorkbook("too many cell formats")

    def end(tag: str) -> None:
        path.pop()

    with archive.open(member) as xml:
        for _ in parse_part(xml, start=start, end=end):
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

    def __init__(
        self,
        strings: list[str],
        dates: set[int],
        durations: set[int],
        epoch: dt.datetime,
        limits: _Limits,
    ) -> None:
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
        for _ in parse_part(xml, start=self.start, end=self.end, text=self.text):
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
        cell, values = self.cell, self.values
        if cell is None or values is None:  # a cell starts only inside a row
            return
        value = self.cell_value(cell)
        self.cell = None
        limit = self.limits.max_columns
        if self.column > limit:
            if value is not None and value != "":
                raise SheetTooLarge(TOO_MANY_COLUMNS.format(row=self.row_number, limit=limit))
            return
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

    def cell_value(self, cell: dict) -> object:
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
