"""Rows with problems: which rows an import leaves out so that the rest can go in, and the file
of those rows for the admin to fix.

A row with any problem is left out. So is a row that names (as its manager or in ``exclude``)
someone whose every row in the file is left out and who is not in the program yet: importing
it alone would point at nobody. That is followed to the end with a work list (each row is
looked at once per reference), never by re-planning the file row after row.

The file to fix has the upload's format (CSV or XLSX) and header, only the rows left out, and
a "Problems" column naming each problem by the column's header as written in the file. Cells
the checks refused (control characters) are empty in it, and identity cells are never copied:
the import does not read them, so it does not keep them either.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePath

from tandem.matching.records.reading import RowError
from tandem.matching.sheets import is_workbook
from tandem.programs.exports import csv_lines, xlsx_bytes
from tandem.programs.imports.reading import (
    IDENTITY_COLUMNS,
    PROBLEMS_COLUMN,
    ParsedRow,
    Table,
    column_name,
)

REFERS_TO_LEFT_OUT = (
    "{email} (row {rows}) has problems, so this row cannot be imported without it; fix that "
    "row and import both together."
)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _references(row: ParsedRow) -> list[tuple[str, str]]:
    """(column, email) of everyone ``row`` names, once ``import_plan`` resolved the ids."""
    named = [("exclude", email) for email in sorted(row.exclude_emails or ())]
    if row.manager:
        named.append(("manager", row.manager))
    return named


def rows_left_out(
    rows: list[ParsedRow], errors: list[RowError], members: set[str]
) -> tuple[set[int], list[RowError]]:
    """The spreadsheet numbers of the rows to leave out, and the problems of the rows left out
    only because they name someone left out (``members``: emails already in the program)."""
    left_out = {error.row for error in errors if error.row > 1}
    numbers_of: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        numbers_of[row.email].append(row.row)
    naming = _naming(rows, numbers_of)

    def gone(email: str) -> bool:
        return email not in members and all(n in left_out for n in numbers_of[email])

    added: list[RowError] = []
    work = [email for email in numbers_of if gone(email)]
    done: set[str] = set()
    while work:
        email = work.pop()
        if email in done:
            continue
        done.add(email)
        message = REFERS_TO_LEFT_OUT.format(
            email=email, rows=", ".join(str(n) for n in numbers_of[email])
        )
        for row, column in naming[email]:
            if row.row not in left_out:
                left_out.add(row.row)
                added.append(RowError(row.row, column, message))
                work += [row.email] if gone(row.email) else []
    return left_out, added


def _naming(
    rows: list[ParsedRow], numbers_of: dict[str, list[int]]
) -> dict[str, list[tuple[ParsedRow, str]]]:
    """For each email of the file, the rows that name it (and in which column)."""
    naming: dict[str, list[tuple[ParsedRow, str]]] = defaultdict(list)
    for row in rows:
        for column, email in _references(row):
            if email != row.email and email in numbers_of:
                naming[email].append((row, column))
    return naming


def problem_file_name(filename: str, content: bytes) -> str:
    """``people.xlsx`` -> ``people-problems.xlsx`` (a CSV for any other upload), in characters
    any ``Content-Disposition`` header holds."""
    stem = PurePath(filename or "upload").stem
    stem = "".join(ch for ch in stem if ch.isascii() and (ch.isalnum() or ch in " ._-()"))
    return (
        f"{stem.strip() or 'upload'}-problems.{'xlsx' if is_workbook(filename, content) else 'csv'}"
    )


def problem_file_type(name: str) -> str:
    return XLSX_TYPE if name.endswith(".xlsx") else CSV_TYPE


def problem_file(*, table: Table, errors: list[RowError], workbook: bool) -> bytes:
    """The upload's header and the rows with ``errors``, each with a "Problems" cell."""
    problems: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        if error.row > 1:
            problems[error.row].append(f"{table.header_of(error.column)}: {error.message}")
    width = len(table.header)
    hidden = {k for k, cell in enumerate(table.header) if column_name(cell) in IDENTITY_COLUMNS}
    rows = [[*table.header, PROBLEMS_COLUMN]]
    for number, cells in table.cells:
        if number in problems:
            kept = [("" if k in hidden else cell) for k, cell in enumerate(cells[:width])]
            kept += [""] * (width - len(kept))
            rows.append([*kept, "\n".join(problems[number])])
    if workbook:
        return xlsx_bytes(rows, sheet_name="to fix")
    return "".join(csv_lines(rows)).encode("utf-8")
