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

import csv
import io
from collections.abc import Iterable, Iterator

from tandem.matching.sheets.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    TOO_LARGE_UNZIPPED,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_ELEMENTS,
    TOO_MANY_ROW_CELLS,
    TOO_MANY_ROWS,
    NotAWorkbook,
    SheetTooLarge,
    _Limits,
)
from tandem.matching.sheets.package import MAX_XML_ELEMENTS
from tandem.matching.sheets.xlsx import iter_xlsx_rows

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_XML_ELEMENTS",
    "TOO_LARGE_UNZIPPED",
    "TOO_MANY_CELLS",
    "TOO_MANY_COLUMNS",
    "TOO_MANY_ELEMENTS",
    "TOO_MANY_ROWS",
    "TOO_MANY_ROW_CELLS",
    "NotAWorkbook",
    "SheetTooLarge",
    "cell_text",
    "is_workbook",
    "iter_csv_rows",
    "iter_rows",
    "iter_xlsx_rows",
    "text_rows",
]


# --- CSV ----------------------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t")


def header_delimiter(text: str) -> str:
    """The delimiter of a CSV file: the one its header line holds most of, commas on a tie.

    Spreadsheets in many locales save with ``;`` or tabs. Only the header is looked at: column
    names hold no delimiters, while cells do (``languages`` is ``en;de``), which is what made
    a guess over the whole text pick ``;`` for comma files.

    Examples
    --------
    >>> header_delimiter("email;role\\na@example.org;mentee\\n")
    ';'
    >>> header_delimiter("id,languages\\na,en;de;fr\\n")
    ','
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=header.count)


def iter_csv_rows(
    text: str,
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_cells: int = MAX_CELLS,
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(record number, stripped cells)`` for the non-blank records of CSV ``text``.

    Parameters
    ----------
    text : str
        The decoded file.
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
    delimiter = header_delimiter(text)
    limits = _Limits(max_rows, max_columns, max_cells)
    # Strict: a quote left open would otherwise swallow the rest of the file into one cell
    # (pages review: 'q@x.test,mentee,"Ann,,,' imported the name 'Ann,,,').
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield from _row(number, row, limits, max_columns)
    except csv.Error as error:
        raise csv.Error(f"row {number + 1}: {error}") from None


def _row(
    number: int, row: list[str], limits: _Limits, max_columns: int
) -> Iterator[tuple[int, list[str]]]:
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


def iter_rows(
    *,
    filename: str,
    content: bytes,
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
    return iter_csv_rows(content.decode("utf-8-sig"), **limits)


def is_workbook(filename: str, content: bytes) -> bool:
    """Whether :func:`iter_rows` reads ``content`` as XLSX (by its name or its zip header)."""
    return (filename or "").lower().endswith((".xlsx", ".xlsm")) or content[:4] == b"PK\x03\x04"


def cell_text(value: object) -> str:
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
