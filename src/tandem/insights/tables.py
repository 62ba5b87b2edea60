"""The one shape every insight takes: a titled table with typed columns, an optional chart
and notes. The page draws the chart and its data table from it, the API returns it as JSON and
the exports write it as CSV or XLSX, so every format shows the same figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Cell = str | int | float | None  # None: no data, or withheld (a note says which)


class ColumnKind(StrEnum):
    TEXT = "text"
    COUNT = "count"  # whole number of people, pairs, meetings...
    RATE = "rate"  # a share from 0 to 1, shown as a percentage
    POINTS = "points"  # a difference of two shares (-1 to 1), shown in percentage points
    NUMBER = "number"  # any other figure (a mean score, messages per week)
    DAYS = "days"
    WEEKS = "weeks"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = ColumnKind.COUNT


@dataclass(frozen=True)
class Chart:
    """How the page charts the table: ``x`` is a column key, ``series`` the columns plotted.
    ``scale`` fixes the value axis to the range the figures can take (an average of 1-to-5
    answers runs from 1 to 5: an axis from 0 to 4 would misread 3 as "three quarters of the
    best"); ``None`` starts it at zero and fits it to the data."""

    kind: Literal["bar", "hbar", "line", "stacked_bar"]
    x: str
    series: tuple[str, ...]
    y_label: str = ""
    scale: tuple[float, float] | None = None


@dataclass
class InsightTable:
    key: str  # unique within its section; the export file name and the API's table key
    title: str
    summary: str  # one or two sentences in plain words: what the table shows and how counted
    columns: list[Column]
    rows: list[dict[str, Cell]] = field(default_factory=list)
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)

    def column_keys(self) -> list[str]:
        return [column.key for column in self.columns]


def share(part: float, whole: float, *, decimals: int = 3) -> float | None:
    """``part / whole`` rounded; ``None`` when there is nothing to divide by."""
    return round(part / whole, decimals) if whole else None


def counted_table(
    *,
    key: str,
    title: str,
    summary: str,
    labels: list[Column],
    count: Column,
    share_label: str,
    chart: Literal["bar", "hbar"] = "bar",
    x: str = "",
    more: tuple[Column, ...] = (),
) -> InsightTable:
    """The table many sections open with: text columns naming each row (``labels``), a count,
    the count's ``share`` of all, then any ``more`` columns; charted as bars of the count along
    ``x`` (the first label unless said)."""
    return InsightTable(
        key=key,
        title=title,
        summary=summary,
        columns=[*labels, count, Column("share", share_label, ColumnKind.RATE), *more],
        chart=Chart(chart, x=x or labels[0].key, series=(count.key,), y_label=count.label),
    )


def add_counted_rows(
    table: InsightTable,
    counted: Iterable[tuple[Any, ...]],
    *,
    total: int,
    decimals: int = 3,
    withheld: bool = False,
) -> None:
    """One row of a ``counted_table`` per ``(label, ..., count)``, with the count's share of
    ``total``; ``withheld`` leaves the count and the share empty (too few to show)."""
    labels = [column.key for column in table.columns if column.kind == ColumnKind.TEXT]
    count = table.columns[len(labels)].key
    for *values, n in counted:
        row: dict[str, Cell] = dict(zip(labels, values, strict=True))
        row[count] = None if withheld else n
        row["share"] = None if withheld else share(n, total, decimals=decimals)
        table.rows.append(row)
