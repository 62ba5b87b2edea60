"""Insight tables as files: one table as CSV, one section as an XLSX workbook (a sheet per
table). The figures are the tables' own, so a file says what the page and the API say.

Numbers are written as numbers (a rate as a share from 0 to 1, as the API gives it) and "no
data" as an empty cell. Text cells (and headers) that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-`` or ``@``) are neutralised: in CSV with a leading
apostrophe (``tandem.matching.records.reading.escape_cell``, the participant export's rule),
in XLSX by writing them as explicit text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse

from tandem.core.exceptions import NotFound
from tandem.insights.scope import InsightScope
from tandem.insights.tables import Cell, ColumnKind, InsightTable
from tandem.matching.records.reading import escape_cell

TABLE_NOT_FOUND = "No such table in this section."
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_LIMIT = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_cell(value)
    return value


def table_csv(table: InsightTable) -> str:
    """The table as CSV text: a header of column labels, then its rows (UTF-8 with a BOM when
    written, so spreadsheets read accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row.get(key)) for key in table.column_keys()])
    return "\ufeff" + buffer.getvalue()


def _sheet_name(table: InsightTable, taken: set[str]) -> str:
    """The table's key (unique in its section, as in the CSV's and the API's names), cut to
    Excel's limit and made unique again if the cut made two alike."""
    base = SHEET_NAME_FORBIDDEN.sub("_", table.key)[:SHEET_NAME_LIMIT] or "table"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"_{n}"
        name, n = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def section_xlsx(tables: Sequence[InsightTable]) -> bytes:
    """The tables as one workbook, a sheet each (named by the table's key): the header, the
    rows, then the table's title, summary and notes under them."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    taken: set[str] = set()

    def text(sheet: Any, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever it starts with
        return cell

    def figure(sheet: Any, value: Cell, kind: ColumnKind) -> WriteOnlyCell:
        if isinstance(value, str):
            return text(sheet, value)
        cell = WriteOnlyCell(sheet, value=value)
        if kind in (ColumnKind.RATE, ColumnKind.POINTS):
            cell.number_format = PERCENT_FORMAT
        elif kind in (ColumnKind.DAYS, ColumnKind.WEEKS, ColumnKind.NUMBER):
            cell.number_format = DECIMAL_FORMAT
        return cell

    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table, taken))
        sheet.append([text(sheet, column.label) for column in table.columns])
        for row in table.rows:
            sheet.append([figure(sheet, row.get(c.key), c.kind) for c in table.columns])
        sheet.append([])
        for line in (table.title, table.summary, *table.notes):
            sheet.append([text(sheet, line)])
    if not tables:
        workbook.create_sheet("Empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(stem: str, scope: InsightScope, extension: str) -> str:
    range_part = "-".join(scope.query().values())
    return f"{stem}{'-' + range_part if range_part else ''}.{extension}"


def attachment(content: str | bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_response(table: InsightTable, *, stem: str, scope: InsightScope) -> HttpResponse:
    return attachment(
        table_csv(table),
        name=file_name(stem, scope, "csv"),
        content_type="text/csv; charset=utf-8",
    )


def xlsx_response(
    tables: Sequence[InsightTable], *, stem: str, scope: InsightScope
) -> HttpResponse:
    return attachment(
        section_xlsx(tables), name=file_name(stem, scope, "xlsx"), content_type=XLSX_TYPE
    )


def the_table(tables: Sequence[InsightTable], key: str) -> InsightTable:
    found = next((table for table in tables if table.key == key), None)
    if found is None:
        raise NotFound(TABLE_NOT_FOUND)
    return found
