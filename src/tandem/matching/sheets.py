"""Reading the first sheet of an XLSX workbook in bounded memory.

A workbook is a zip of XML; its ``<dimension>`` element and the position of its last cell are
chosen by whoever wrote the file. openpyxl pads every row to the declared width and yields the
declared number of rows, so a 5 KB file that declares ``A1:XFD1048576`` becomes 17 billion
cells. :func:`iter_xlsx_rows` never trusts the declaration: it checks the zip's uncompressed
size first, then streams the rows (openpyxl ``read_only``) and stops at the first limit it
crosses with :class:`SheetTooLarge`, whose message names the limit.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO

MAX_ROWS = 50_000
MAX_COLUMNS = 64
MAX_CELLS = 1_500_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024

TOO_MANY_ROWS = "The sheet has more than {limit:,} rows; split it into several files."
TOO_MANY_COLUMNS = (
    "The sheet has content to the right of column {limit}; at most {limit} columns are read. "
    "Delete the columns on the right that are not participant data."
)
TOO_MANY_CELLS = "The sheet has more than {limit:,} filled cells; split it into several files."
TOO_LARGE_UNZIPPED = (
    "The workbook unpacks to more than {limit} MB; save it again as CSV UTF-8 or split it."
)


class SheetTooLarge(ValueError):
    """A workbook crossed one of the reader's limits; ``str()`` says which."""


def iter_xlsx_rows(
    source: str | IO[bytes],
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_cells: int = MAX_CELLS,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> Iterator[tuple[int, list]]:
    """Yield ``(row number, raw cell values)`` for the first sheet's non-blank rows.

    Parameters
    ----------
    source : path or binary file object
        The workbook.
    max_rows, max_columns, max_cells, max_uncompressed : int
        Limits on non-empty rows after the header, the column of any filled cell, filled
        cells in all, and the sum of the zip members' uncompressed sizes.

    Returns
    -------
    iterator of (int, list)
        Spreadsheet row number (from 1) and values (``None`` for empty) up to the last
        filled cell, at most ``max_columns`` wide; blank rows are skipped.

    Raises
    ------
    SheetTooLarge
        When a limit is crossed (checked before or while reading, never after).
    zipfile.BadZipFile, KeyError, ValueError, OSError
        When the file is not a workbook.

    Notes
    -----
    Memory is bounded by one row of ``max_columns + 1`` cells plus openpyxl's per-row parse,
    whatever the declared dimension; time grows with the XML actually present, which the
    uncompressed-size limit bounds.

    Examples
    --------
    >>> import io
    >>> from openpyxl import Workbook
    >>> book = Workbook(); book.active.append(["email", "role"]); buffer = io.BytesIO()
    >>> book.save(buffer); _ = buffer.seek(0)
    >>> list(iter_xlsx_rows(buffer))
    [(1, ['email', 'role'])]
    """
    from openpyxl import load_workbook

    with zipfile.ZipFile(source) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max_uncompressed:
        raise SheetTooLarge(TOO_LARGE_UNZIPPED.format(limit=max_uncompressed // 1024 // 1024))
    if hasattr(source, "seek"):
        source.seek(0)
    book = load_workbook(source, read_only=True, data_only=True)
    try:
        cells = 0
        filled_rows = 0
        for number, values in _parsed_rows(book.worksheets[0], max_columns + 1):
            filled = sum(1 for value in values if value is not None and value != "")
            if not filled:
                continue
            # One column past the limit is read, so content there is reported, not dropped.
            if any(value not in (None, "") for value in values[max_columns:]):
                raise SheetTooLarge(TOO_MANY_COLUMNS.format(limit=max_columns))
            filled_rows += 1
            if filled_rows > max_rows + 1:  # the header is not a participant
                raise SheetTooLarge(TOO_MANY_ROWS.format(limit=max_rows))
            cells += filled
            if cells > max_cells:
                raise SheetTooLarge(TOO_MANY_CELLS.format(limit=max_cells))
            values = values[:max_columns]
            while values and values[-1] in (None, ""):
                values.pop()
            yield number, values
    finally:
        book.close()


def _parsed_rows(sheet, width: int) -> Iterator[tuple[int, list]]:
    """The rows present in the sheet's XML, ``width`` cells wide (the last one holds any value
    found in that column or further right), without openpyxl's padding
    (the declared dimension, the missing rows in between: a far-away cell would otherwise
    cost a million empty rows)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    with sheet._get_source() as src:
        parser = WorkSheetParser(
            src,
            sheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            values = [None] * width
            for cell in cells:
                if cell["column"] < width:
                    values[cell["column"] - 1] = cell["value"]
                elif cell["value"] not in (None, ""):
                    values[width - 1] = cell["value"]  # the last slot stands for all beyond
            yield number, values
