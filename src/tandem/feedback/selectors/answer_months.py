"""Check-in answers counted by calendar month (UTC), as the blocks (``answer_blocks``) and the
noise (``answer_noise``) read them: per month, how many answered, how many people answered and
the most one person answered. One query whatever the size: the check-ins grouped by month and
author in a subquery, then by month, so the database returns one row per month (and group),
never one per check-in or per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from tandem.feedback.models import CheckIn


@dataclass(frozen=True)
class Month:
    """One month's answers to one question (by the counted condition)."""

    start: datetime
    answers: int
    people: int
    most_by_one: int


def _as_month(value: Any) -> datetime:
    """A truncated month as the database returns it outside the ORM: text on SQLite, a naive
    timestamp in UTC on PostgreSQL."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def answer_months(
    qs: QuerySet[CheckIn], counted: dict[str, Q], *, group: str | None = None
) -> dict[tuple[Any, str], list[Month]]:
    """Per ``(group value, count name)`` (``group``: a field path to split by, such as the
    program; ``None`` for one group), the months with answers matching ``counted[name]``."""
    grouping = {"grp": F(group)} if group else {}
    inner = (
        qs.annotate(month=TruncMonth("answered_at", tzinfo=UTC), who=F("author_id"), **grouping)
        .values(*grouping, "month", "who")
        .annotate(**{f"n{i}": Count("pk", filter=q) for i, q in enumerate(counted.values())})
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    name = connection.ops.quote_name
    keys = ", ".join(name(key) for key in (*grouping, "month"))
    figures = ", ".join(
        f"SUM({n}), SUM(CASE WHEN {n} > 0 THEN 1 ELSE 0 END), MAX({n})"
        for n in (name(f"n{i}") for i in range(len(counted)))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {keys}, {figures} FROM ({sql}) by_author GROUP BY {keys}",  # noqa: S608
            params,
        )
        rows = cursor.fetchall()
    found: dict[tuple[Any, str], list[Month]] = {}
    width = 1 if group else 0
    for row in rows:
        by = row[0] if group else None
        month = _as_month(row[width])
        for i, count_name in enumerate(counted):
            answers, people, most = row[width + 1 + 3 * i : width + 4 + 3 * i]
            if answers:
                found.setdefault((by, count_name), []).append(
                    Month(month, int(answers), int(people), int(most))
                )
    for months in found.values():
        months.sort(key=lambda m: m.start)
    return found
