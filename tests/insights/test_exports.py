"""The insight files: figures stay numbers, "no data" is an empty cell, and no text cell can
run as a formula in a spreadsheet (CSV: a leading apostrophe; XLSX: explicit text)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tandem.insights.exports import section_xlsx, table_csv
from tandem.insights.tables import Column, ColumnKind, InsightTable

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def table(key: str = "groups") -> InsightTable:
    return InsightTable(
        key=key,
        title="=Title that looks like a formula",
        summary="How it is counted.",
        columns=[
            Column("name", "@Group", ColumnKind.TEXT),
            Column("n", "People"),
            Column("difference", "Difference", ColumnKind.WEEKS),
            Column("rate", "Rate", ColumnKind.RATE),
        ],
        rows=[{"name": text, "n": 3, "difference": -2.1, "rate": 0.25} for text in DANGEROUS]
        + [{"name": "No data", "n": None, "difference": None, "rate": None}],
        notes=["-A note that starts with a minus."],
    )


def test_csv_neutralises_formulas_and_keeps_numbers():
    rows = list(csv.reader(io.StringIO(table_csv(table()).removeprefix("\ufeff"))))
    assert rows[0] == ["'@Group", "People", "Difference", "Rate"]
    assert [row[0] for row in rows[1:5]] == ["'" + text for text in DANGEROUS]
    # Numbers, negative ones too, stay numbers: only text is escaped.
    assert rows[1][1:] == ["3", "-2.1", "0.25"]
    assert rows[5] == ["No data", "", "", ""]


def test_xlsx_writes_text_as_text_and_numbers_as_numbers():
    book = load_workbook(io.BytesIO(section_xlsx([table("groups"), table("groups")])))
    # Two tables with one key: the sheet names stay unique.
    assert book.sheetnames == ["groups", "groups_2"]
    sheet = book["groups"]
    cells = list(sheet.iter_rows())
    assert cells[0][0].value == "@Group" and cells[0][0].data_type == "s"
    for row, text in zip(cells[1:5], DANGEROUS, strict=True):
        assert (row[0].value, row[0].data_type) == (text, "s")  # never a formula ("f")
        assert (row[1].value, row[2].value, row[3].value) == (3, -2.1, 0.25)
        assert row[3].number_format == "0.0%"
    assert [cell.value for cell in cells[5]] == ["No data", None, None, None]
    notes = [row[0] for row in cells[7:10]]
    assert [cell.value for cell in notes] == [
        "=Title that looks like a formula",
        "How it is counted.",
        "-A note that starts with a minus.",
    ]
    assert {cell.data_type for cell in notes} == {"s"}


def test_a_chart_with_no_figure_at_all_is_not_drawn():
    from tandem.insights.tables import Chart
    from tandem.insights.views.present import chart_data

    empty = table()
    empty.chart = Chart("bar", x="name", series=("n",))
    assert chart_data(empty)["series"] == [{"label": "People", "data": [3, 3, 3, 3, None]}]
    for row in empty.rows:
        row["n"] = None
    assert chart_data(empty) is None
