"""Hostile workbooks for the reader's limits, shared by the tests and bench/import_memory.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook


def two_row_workbook() -> bytes:
    """A plain workbook: a header and one participant."""
    book = Workbook()
    book.active.append(["email", "role"])
    book.active.append(["a@example.org", "mentee"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(content: bytes, edit: Callable[[str], str]) -> bytes:
    """``content`` with its first worksheet's XML passed through ``edit``."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def workbook_bomb(far_value: str | None = None) -> bytes:
    """A 5 KB workbook whose sheet declares A1:XFD1048576 and has a cell at XFD1048576 (empty
    but styled, or holding ``far_value``): openpyxl pads to 17 billion cells unless told not to."""
    cell = (
        f'<c r="XFD1048576" t="inlineStr"><is><t>{far_value}</t></is></c>'
        if far_value
        else '<c r="XFD1048576" s="0"/>'
    )
    return with_sheet_xml(
        two_row_workbook(),
        lambda xml: xml.replace(
            '<dimension ref="A1:B2" />', '<dimension ref="A1:XFD1048576"/>'
        ).replace("</sheetData>", f'<row r="1048576">{cell}</row></sheetData>'),
    )


def empty_cells_bomb(count: int = 1_000_000) -> bytes:
    """26 KB zipped, 11 MB unpacked: row 3 holds ``count`` empty ``<c r="B3"/>`` elements,
    which a reader that builds the row before counting keeps in memory."""
    row = '<row r="3">' + '<c r="B3"/>' * count + "</row>"
    return with_sheet_xml(
        two_row_workbook(), lambda xml: xml.replace("</sheetData>", row + "</sheetData>")
    )
