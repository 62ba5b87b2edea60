"""Durations in whole days, counted in SQL, and the median read from those counts.

A distribution is grouped in the database by whole days (one count per day value), so what
Python reads is a few hundred counts at most, never a row per person; the median and the
coarser buckets (weeks) are read from those counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import NotSupportedError, connections
from django.db.models import Count, Expression, Func, IntegerField, QuerySet

MS_PER_DAY = 86_400_000


class DaysBetween(Func):
    """Whole days from ``earlier`` to ``later``, rounded down (3 days 20 hours is 3); NULL
    when either is NULL.

    Both databases first take the gap in whole milliseconds (SQLite's ``julianday`` keeps no
    finer), then divide and round down, so they agree on every gap but one within a
    millisecond of a whole day.
    """

    output_field = IntegerField()

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        later, earlier = self.get_source_expressions()
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        if connection.vendor == "postgresql":
            gap = f"ROUND(EXTRACT(EPOCH FROM ({later_sql}) - ({earlier_sql})) * 1000)"
        elif connection.vendor == "sqlite":
            gap = f"ROUND((julianday({later_sql}) - julianday({earlier_sql})) * {MS_PER_DAY})"
        else:
            raise NotSupportedError(f"DaysBetween has no SQL for {connection.vendor}")
        sql = f"CAST(FLOOR({gap} / {MS_PER_DAY}.0) AS INTEGER)"
        return sql, (*later_params, *earlier_params)


def day_counts(
    queryset: QuerySet[Any], days: Expression, *, by: str = ""
) -> dict[Any, dict[int, int]]:
    """How many rows of ``queryset`` have each whole-day value of ``days`` (rows where it is
    NULL left out), per value of the field ``by`` (all under the key ``None`` without it)."""
    keys = (by, "days") if by else ("days",)
    grouped = (
        queryset.order_by()
        .annotate(days=days)
        .values(*keys)
        .annotate(n=Count("pk"))
        .values_list(*keys, "n")
    )
    counts: dict[Any, dict[int, int]] = {}
    for row in grouped:
        group, day, n = row if by else (None, *row)
        if day is None:
            continue
        # A gap below zero (a record older than the step it follows) counts as day 0.
        per_day = counts.setdefault(group, {})
        per_day[max(int(day), 0)] = per_day.get(max(int(day), 0), 0) + n
    return counts


def column_counts(queryset: QuerySet[Any], columns: Sequence[str]) -> dict[str, dict[Any, int]]:
    """For each of ``columns`` of ``queryset``'s rows (all of one type: whole numbers or
    texts, or NULL), how many rows hold each value, NULL included, in one query: the rows are
    computed once (a materialised common table expression) and each column is grouped from
    them."""
    sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    quote = connections[queryset.db].ops.quote_name
    branches = " UNION ALL ".join(
        f"SELECT {index} AS col, {quote(name)} AS value, COUNT(*) AS n "
        f"FROM per_row GROUP BY {quote(name)}"
        for index, name in enumerate(columns)
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"WITH per_row AS MATERIALIZED ({sql}) {branches}", params)
        fetched = cursor.fetchall()
    counts: dict[str, dict[Any, int]] = {name: {} for name in columns}
    for index, value, n in fetched:
        counts[columns[index]][value] = int(n)
    return counts


def days_in(counts: Mapping[Any, int]) -> dict[int, int]:
    """The whole-day counts of a column, without its NULLs; a gap below zero (a record older
    than the step it follows) counts as day 0."""
    days: dict[int, int] = {}
    for value, n in counts.items():
        if value is not None:
            day = max(int(value), 0)
            days[day] = days.get(day, 0) + n
    return days


def median_of(counts: Mapping[int, int]) -> float | None:
    """The median of the values counted in ``counts`` (value -> how many): the middle value
    in order, or the mean of the two middle ones for an even total; None when empty.

    >>> median_of({2: 1, 5: 1, 9: 1})
    5.0
    >>> median_of({1: 2, 4: 2})
    2.5
    >>> median_of({}) is None
    True
    """
    total = sum(counts.values())
    if not total:
        return None
    pending = [(total - 1) // 2, total // 2]  # 0-based ranks of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while pending and pending[0] < seen:
            found.append(value)
            pending.pop(0)
    return (found[0] + found[1]) / 2


def in_buckets(counts: Mapping[int, int], edges: Iterable[int]) -> list[int]:
    """``counts`` summed into buckets that start at each of ``edges`` (ascending, the first
    0); the last bucket takes everything from its edge up.

    >>> in_buckets({0: 1, 6: 2, 7: 1, 30: 4}, (0, 7, 14))
    [3, 1, 4]
    """
    starts = list(edges)
    totals = [0] * len(starts)
    for value, n in counts.items():
        index = max(i for i, start in enumerate(starts) if value >= start)
        totals[index] += n
    return totals
