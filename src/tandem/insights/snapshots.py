"""A section's tables stored as JSON and read back exactly, keyed by section and scope.

A snapshot holds what the page shows for one scope (aggregates after suppression), under a key
made of the scope's own program ids, its quarter range and the mentorships it leaves out (a
reader's own pairs): a program's snapshot is never read for another program, nor the site's for
a program, nor one made without a reader's pairs for another reader. Rows are stored as ordered
pairs (PostgreSQL's jsonb reorders object keys) and floats that JSON cannot hold as tagged
strings, so the tables read back equal to the ones computed."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from tandem.insights.models import InsightSnapshot
from tandem.insights.scope import InsightScope
from tandem.insights.tables import Cell, Chart, Column, ColumnKind, InsightTable

MAX_PROGRAMS_KEY = 80  # longer lists of ids are keyed by their hash
NOT_FINITE = "float:"


def programs_key(program_ids: tuple[int, ...]) -> str:
    """The scope's programs as one canonical string: "12", "3,7,12", or a hash of a long list."""
    joined = ",".join(str(pk) for pk in sorted(set(program_ids)))
    if len(joined) <= MAX_PROGRAMS_KEY:
        return joined
    return "sha256:" + hashlib.sha256(joined.encode()).hexdigest()[:64]


def range_key(scope: InsightScope) -> str:
    if scope.first is None and scope.last is None:
        return ""
    return f"{scope.first or ''}-{scope.last or ''}"


def left_out_key(scope: InsightScope) -> str:
    """The mentorships the scope leaves out as one key: "" for none, else their ids' digest."""
    if not scope.left_out:
        return ""
    joined = ",".join(str(pk) for pk in sorted(set(scope.left_out)))
    return hashlib.sha256(joined.encode()).hexdigest()


def _cell_out(value: Cell) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {NOT_FINITE: repr(value)}
    return value


def _cell_in(value: Any) -> Cell:
    if isinstance(value, dict):
        return float(value[NOT_FINITE])
    return value


def tables_to_json(tables: list[InsightTable]) -> list[dict[str, Any]]:
    return [
        {
            "key": table.key,
            "title": table.title,
            "summary": table.summary,
            "columns": [[c.key, c.label, str(c.kind)] for c in table.columns],
            "rows": [[[k, _cell_out(v)] for k, v in row.items()] for row in table.rows],
            "chart": None
            if table.chart is None
            else [
                table.chart.kind,
                table.chart.x,
                list(table.chart.series),
                table.chart.y_label,
                list(table.chart.scale) if table.chart.scale else None,
            ],
            "notes": list(table.notes),
        }
        for table in tables
    ]


def _chart_in(stored: list[Any]) -> Chart:
    """A stored chart; one stored before charts had a ``scale`` has four items."""
    kind, x, series, y_label, *rest = stored
    scale = rest[0] if rest else None
    return Chart(kind, x, tuple(series), y_label, (scale[0], scale[1]) if scale else None)


def tables_from_json(stored: list[dict[str, Any]]) -> list[InsightTable]:
    tables = []
    for item in stored:
        chart = item["chart"]
        tables.append(
            InsightTable(
                key=item["key"],
                title=item["title"],
                summary=item["summary"],
                columns=[Column(k, label, ColumnKind(kind)) for k, label, kind in item["columns"]],
                rows=[{k: _cell_in(v) for k, v in row} for row in item["rows"]],
                chart=None if chart is None else _chart_in(chart),
                notes=list(item["notes"]),
            )
        )
    return tables


def snapshot_latest(*, section: str, scope: InsightScope, version: str) -> InsightSnapshot | None:
    """The stored snapshot of this section and scope made under ``version``, whatever its age."""
    return InsightSnapshot.objects.filter(
        section=section,
        programs=programs_key(scope.program_ids),
        range=range_key(scope),
        left_out=left_out_key(scope),
        version=version,
    ).first()


def snapshot_store(
    *,
    section: str,
    scope: InsightScope,
    version: str,
    tables: list[InsightTable],
    computed_at: datetime,
) -> None:
    """Insert or replace the snapshot; two workers storing the same one at once both succeed
    (the later computation wins)."""
    programs = programs_key(scope.program_ids)
    values = {"version": version, "tables": tables_to_json(tables), "computed_at": computed_at}
    for attempt in range(2):
        try:
            with transaction.atomic():
                InsightSnapshot.objects.update_or_create(
                    section=section,
                    programs=programs,
                    range=range_key(scope),
                    left_out=left_out_key(scope),
                    defaults=values,
                )
            return
        except IntegrityError:  # the other worker inserted between our read and our insert
            if attempt:
                raise
