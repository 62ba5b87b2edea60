"""The limits of the sheet reader, their messages and its exceptions (see the package)."""

from __future__ import annotations

MAX_ROWS = 50_000
MAX_COLUMNS = 64
MAX_CELLS = 1_500_000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024

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


class SheetTooLarge(ValueError):
    """A file crossed one of the reader's limits; ``str()`` says which."""


class NotAWorkbook(ValueError):
    """The file is not a workbook this reader understands."""


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
