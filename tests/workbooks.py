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


# --- participant sheets with hostile rows, for the import's properties ---------------------

PARTICIPANT_HEADER = ["Email", "Role", "Time Zone", "Manager", "Goals"]


def participant_sheets():
    """A hypothesis strategy: ``(filename, content, rows)`` of a participant file (CSV or XLSX)
    mixing good rows, rows with bad cells (an unknown time zone, no address, a control
    character, a duplicate), cells that look like formulas, blank rows, and managers that name
    other rows (good or bad). ``rows`` are the data rows as written (a blank row is ``None``)."""
    from hypothesis import strategies as st

    from tandem.programs.exports import csv_lines, xlsx_bytes

    good_zone = st.sampled_from(["", "Europe/Berlin", "America/Sao_Paulo"])
    zone = st.one_of(good_zone, st.sampled_from(["Mars/Base", "Nowhere"]))
    goals = st.sampled_from(["", "Learn SQL", "=HYPERLINK(1)", "+1 idea", "@here", "a\x00b"])
    role = st.sampled_from(["mentee", "mentor", "boss"])

    @st.composite
    def sheets(draw):
        workbook = draw(st.booleans())
        count = draw(st.integers(min_value=1, max_value=12))
        rows: list[list[str] | None] = []
        for number in range(count):
            if draw(st.integers(0, 6)) == 0:
                rows.append(None)
                continue
            email = draw(st.sampled_from([f"p{number}@example.org", "", "not-an-email"]))
            if draw(st.integers(0, 8)) == 0 and rows:  # a duplicate of an earlier row
                earlier = [row for row in rows if row is not None]
                if earlier:
                    rows.append(list(draw(st.sampled_from(earlier))))
                    continue
            manager = draw(st.sampled_from(["", *[f"p{k}@example.org" for k in range(count)]]))
            cell = draw(goals)
            if workbook:
                cell = cell.replace("\x00", "")  # a workbook cannot hold one
            rows.append([email, draw(role), draw(zone), manager, cell])
        if all(row is None for row in rows):
            rows.append(["p99@example.org", "mentee", "", "", ""])
        table = [PARTICIPANT_HEADER, *[row or [""] * len(PARTICIPANT_HEADER) for row in rows]]
        if workbook:
            return "people.xlsx", xlsx_bytes(table), rows
        return "people.csv", "".join(csv_lines(table)).encode(), rows

    return sheets()
