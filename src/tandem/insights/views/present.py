"""An insight table as the page shows it: cells in words and numbers people read, and the
chart's data for ``insights.js`` (passed through ``json_script``, never inline code)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tandem.insights.tables import Cell, Column, ColumnKind, InsightTable

NO_DATA = "–"
WITHHELD = "Withheld"  # a row that says so has every missing figure withheld, not unknown
# A withheld row is one line that says why, once (live review F17: "Withheld" eight times),
# in words that cover all three rules of WITHHELD_NOTE (UX review: "would let a hidden one be
# worked out" named neither what was hidden nor the all-or-none rule).
WITHHELD_ROW = (
    "Withheld: fewer than 5 people, or its figures would give away something about particular "
    "people (see How this is counted)"
)
PERCENT_KINDS = {ColumnKind.RATE}
COLLAPSE_ROWS = 12  # a longer data table under a chart starts folded away
CARD_COLUMNS = 4  # a table this wide is shown as a card per row on a phone (insights.css)
BIG = 1000  # a column with a figure this large is shown in whole numbers
SPLIT_GROUPS = 4  # a one-series bar chart is coloured by a text column with this few values


def cell_text(value: Cell, kind: ColumnKind, *, decimals: int = 1) -> str:
    """``value`` as the data table shows it, the same way for every column of a kind: rates as
    percentages with one decimal, counts as whole numbers with thousands separators (a count
    that is a mean is rounded), days, weeks and other figures with ``decimals`` decimals (see
    ``column_decimals``); a dash for no data."""
    if value is None:
        return NO_DATA
    if isinstance(value, str):
        return value
    if kind == ColumnKind.RATE:
        return f"{value * 100:.1f} %"
    if kind == ColumnKind.POINTS:
        return signed(value * 100, 1) + " pp"
    if kind == ColumnKind.COUNT:
        return f"{round(value):,}"
    if kind in (ColumnKind.DAYS, ColumnKind.WEEKS, ColumnKind.NUMBER):
        return signed(value, decimals) + {ColumnKind.DAYS: " d", ColumnKind.WEEKS: " wk"}.get(
            kind, ""
        )
    return str(value)


def signed(value: float, decimals: int) -> str:
    """A figure with a typographic minus, and never "−0.0": a difference that rounds to
    nothing reads as 0.0, whichever side of zero it fell."""
    if round(value, decimals) == 0:
        value = 0.0
    return f"{value:,.{decimals}f}".replace("-", "−")


def chart_data(table: InsightTable) -> dict[str, Any] | None:
    """What ``insights.js`` draws: the chart kind, the x labels and one series per column
    (rates as percentages)."""
    chart = table.chart
    if chart is None or not table.rows:
        return None
    # A withheld group has no bar to draw: it is left out of the chart, not drawn empty.
    table = replace(table, rows=[row for row in table.rows if WITHHELD not in row.values()])
    if not table.rows:
        return None
    columns = {column.key: column for column in table.columns}
    series = [columns[key] for key in chart.series if key in columns]
    if all(row.get(column.key) is None for row in table.rows for column in series):
        return None  # nothing to draw: the table's dashes and its note say why
    percent = bool(series) and all(column.kind in PERCENT_KINDS for column in series)
    return {
        "kind": chart.kind,
        "labels": [
            str(row.get(chart.x) if row.get(chart.x) is not None else NO_DATA) for row in table.rows
        ],
        "series": _split(table, series, percent),
        "yLabel": chart.y_label or ("Per cent" if percent else ""),
        "percent": percent,
        "scale": list(chart.scale) if chart.scale else None,
    }


def _split(table: InsightTable, series: list[Column], percent: bool) -> list[dict[str, Any]]:
    """One series per plotted column; a bar chart of one column whose table has one other text
    column of a few values (a concern or a strength) gets one series per value, so each is
    drawn in its own colour with a legend."""
    chart = table.chart
    assert chart is not None
    by = [c for c in table.columns if c.kind == ColumnKind.TEXT and c.key != chart.x]
    groups = sorted({str(row.get(by[0].key)) for row in table.rows}) if len(by) == 1 else []
    if chart.kind not in ("bar", "hbar") or len(series) != 1 or not 1 < len(groups) <= SPLIT_GROUPS:
        return [
            {
                "label": column.label,
                "data": [_plotted(row.get(column.key), percent) for row in table.rows],
            }
            for column in series
        ]
    column = series[0]
    return [
        {
            "label": f"{column.label}: {group.lower()}",
            "data": [
                _plotted(row.get(column.key), percent) if str(row.get(by[0].key)) == group else None
                for row in table.rows
            ],
        }
        for group in groups
    ]


def _plotted(value: Cell, percent: bool) -> float | None:
    if value is None or isinstance(value, str):
        return None
    return round(value * 100, 2) if percent else value


@dataclass
class ShownTable:
    table: InsightTable
    dom_id: str
    rows: list[list[str]]
    chart: dict[str, Any] | None
    csv_url: str

    @property
    def chart_id(self) -> str:
        return f"{self.dom_id}-chart"

    @property
    def columns(self) -> list[Column]:
        return self.table.columns

    @property
    def collapsed(self) -> bool:
        """A long table under a chart is folded into a <details> (printed open)."""
        return self.chart is not None and len(self.rows) > COLLAPSE_ROWS

    @property
    def cards(self) -> bool:
        """On a phone, a wide table that is not folded away shows each row as a card of
        labelled figures (nine columns side by side are unreadable at 390 px); the others
        scroll sideways beside their sticky first column."""
        return len(self.table.columns) >= CARD_COLUMNS and not self.collapsed

    @property
    def body(self) -> list[list[tuple[str, str, str]]]:
        """Each cell with its role and its column's label (a card's labels): ``row`` (the
        first column, when it is text, heads its row), ``text`` (wraps) or ``num``
        (right-aligned, kept on one line); a withheld figure is also ``withheld`` (set in a
        smaller, muted type)."""
        kinds = [
            "row"
            if i == 0 and column.kind == ColumnKind.TEXT
            else "text"
            if column.kind == ColumnKind.TEXT
            else "num"
            for i, column in enumerate(self.table.columns)
        ]
        labels = [column.label for column in self.table.columns]
        return [
            [(row[0], "row", labels[0]), (WITHHELD_ROW, "withheld-row", str(len(row) - 1))]
            if kinds[0] == "row" and WITHHELD in row
            else [
                (text, f"{kind} withheld" if text == WITHHELD else kind, label)
                for text, kind, label in zip(row, kinds, labels, strict=True)
            ]
            for row in self.rows
        ]


def shown(table: InsightTable, *, section: str, csv_url: str) -> ShownTable:
    decimals = column_decimals(table)
    rows = [_row_text(row, table.columns, decimals) for row in table.rows]
    return ShownTable(table, f"{section}-{table.key}", rows, chart_data(table), csv_url)


def column_decimals(table: InsightTable) -> list[int]:
    """One decimal for a column of figures (4.2 weeks); none for a column whose figures reach
    1,000 (3,160 meetings planned); two for a column whose figures all lie below 1 (match
    scores from 0 to 1, where one decimal would show 0.7 against 0.8 and a difference as 0.0),
    so a column reads one way throughout."""
    decimals = []
    for column in table.columns:
        figures = [abs(v) for r in table.rows if isinstance(v := r.get(column.key), int | float)]
        if any(v >= BIG for v in figures):
            decimals.append(0)
        elif figures and max(figures) < 1:
            decimals.append(2)
        else:
            decimals.append(1)
    return decimals


def _row_text(row: dict[str, Cell], columns: list[Column], decimals: list[int]) -> list[str]:
    missing = WITHHELD if WITHHELD in row.values() else NO_DATA
    return [
        missing if row.get(c.key) is None else cell_text(row.get(c.key), c.kind, decimals=d)
        for c, d in zip(columns, decimals, strict=True)
    ]
