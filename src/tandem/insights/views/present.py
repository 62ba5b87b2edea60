"""An insight table as the page shows it: cells in words and numbers people read, and the
chart's data for ``insights.js`` (passed through ``json_script``, never inline code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.insights.tables import Cell, Column, ColumnKind, InsightTable

NO_DATA = "–"
PERCENT_KINDS = {ColumnKind.RATE}


def cell_text(value: Cell, kind: ColumnKind) -> str:
    """``value`` as the data table shows it: rates as percentages, days and weeks with one
    decimal, whole counts with thousands separators; a dash for no data."""
    if value is None:
        return NO_DATA
    if isinstance(value, str):
        return value
    if kind == ColumnKind.RATE:
        return f"{value * 100:.1f} %"
    if kind == ColumnKind.COUNT and float(value).is_integer():
        return f"{int(value):,}"
    if kind in (ColumnKind.DAYS, ColumnKind.WEEKS, ColumnKind.NUMBER):
        return f"{value:,.1f}" + {ColumnKind.DAYS: " d", ColumnKind.WEEKS: " wk"}.get(kind, "")
    return str(value)


def chart_data(table: InsightTable) -> dict[str, Any] | None:
    """What ``insights.js`` draws: the chart kind, the x labels and one series per column
    (rates as percentages)."""
    chart = table.chart
    if chart is None or not table.rows:
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
        "series": [
            {
                "label": column.label,
                "data": [_plotted(row.get(column.key), percent) for row in table.rows],
            }
            for column in series
        ],
        "yLabel": chart.y_label or ("Per cent" if percent else ""),
        "percent": percent,
    }


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
    def numeric(self) -> list[bool]:
        return [column.kind != ColumnKind.TEXT for column in self.table.columns]


def shown(table: InsightTable, *, section: str, csv_url: str) -> ShownTable:
    rows = [
        [cell_text(row.get(column.key), column.kind) for column in table.columns]
        for row in table.rows
    ]
    return ShownTable(table, f"{section}-{table.key}", rows, chart_data(table), csv_url)
