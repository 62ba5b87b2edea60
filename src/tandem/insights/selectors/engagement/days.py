"""The days an engagement figure covers, and the pairs active on each of them.

Engagement counts what happened in the chosen quarters, day by day (UTC), up to yesterday: a
day still going on is not counted, so a week's meetings and the meetings it planned cover the
same whole days. Weeks run Monday to Sunday; a week that begins before the range or runs past
its end counts only its days inside it.

A pair is *active* on every day from the day it started (``activated_at``) to the day it ended
(``ended_at``), both included, except the days of a pause it declared (from the pause's first
day up to its first day back). How many pairs were active on each day comes from four
grouped counts (pairs starting, ending, pausing and coming back, per day) and a running sum
over the days, never a loop over pairs. Each active pair *plans* one meeting per agreed
cadence period: 1/7 of a meeting a day when weekly, 1/14 every two weeks, 1/30 monthly, 1/91
quarterly; the cadence is the one in the pair's latest agreement signed by both, or its
program's default without one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from tandem.feedback.health import CADENCE_DAYS
from tandem.insights.scope import InsightScope
from tandem.mentorships.models import AgreementVersion, Mentorship, MentorshipPause
from tandem.people.choices import Cadence

FALLBACK_CADENCE = Cadence.BIWEEKLY  # a program's default when it has none (as the model's)


class UTCDay(Func):
    """The UTC calendar day of a datetime column (``NULL`` stays ``NULL``).

    Django's ``TruncDate`` on SQLite calls a Python function for every row; this reads the
    day straight off the stored text (SQLite keeps datetimes as UTC ISO text) and on
    PostgreSQL converts to UTC in SQL, so grouping a million messages by day stays in C.
    """

    output_field = DateField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        (value,) = self.get_source_expressions()
        sql, params = compiler.compile(value)
        if connection.vendor == "sqlite":
            return f"substr({sql}, 1, 10)", tuple(params)
        if connection.vendor == "postgresql":
            return f"(({sql}) AT TIME ZONE 'UTC')::date", tuple(params)
        raise NotSupportedError(f"UTCDay has no SQL for {connection.vendor}")


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def as_date(value: datetime | date) -> date:
    """A grouped day as a date (a database may hand back a datetime at midnight)."""
    return value.astimezone(UTC).date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class Period:
    """The days counted: from ``first`` up to, not including, ``end``."""

    first: date
    end: date

    @property
    def start_at(self) -> datetime:
        return midnight(self.first)

    @property
    def end_at(self) -> datetime:
        return midnight(self.end)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.end - self.first).days)]

    def weeks(self) -> list[date]:
        """The Mondays of the weeks with at least one day counted."""
        return sorted({monday_of(day) for day in self.days()})


def period_of(scope: InsightScope, *, today: date) -> Period | None:
    """The whole days of the scope before ``today``: from the range's first day (without one,
    the day the programs' first pair was proposed). ``None`` when no day is left."""
    if scope.start is not None:
        first = scope.start.date()
    else:
        earliest = Mentorship.objects.filter(program_id__in=scope.program_ids).aggregate(
            at=Min("created_at")
        )["at"]
        if earliest is None:
            return None
        first = earliest.astimezone(UTC).date()
    end = today if scope.end is None else min(today, scope.end.date())
    return Period(first, end) if first < end else None


class CadenceRate(Func):
    """Meetings a day for a cadence name (``NULL`` for a name that is not a cadence), in one
    simple ``CASE``: the name is evaluated once, not once per cadence."""

    output_field = FloatField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        (name,) = self.get_source_expressions()
        sql, params = compiler.compile(name)
        rates = sorted(CADENCE_DAYS.items())
        whens = " ".join("WHEN %s THEN %s" for _rate in rates)
        pairs = [param for cadence, days in rates for param in (cadence, 1 / days)]
        return f"CASE {sql} {whens} END", (*params, *pairs)


def _meetings_per_day(mentorship: str, path: str = "") -> Coalesce:
    """A pair's planned meetings a day: one per period of the cadence of its latest agreement
    version signed by both, else (none, or not a known cadence) of its program's default.
    ``mentorship`` is the path to the mentorship's id, ``path`` the prefix to the mentorship.
    One subquery per pair."""
    signed = (
        AgreementVersion.objects.filter(
            mentorship=OuterRef(mentorship),
            signed_by_mentor_at__isnull=False,
            signed_by_mentee_at__isnull=False,
        )
        .order_by("-number")
        .annotate(rate=CadenceRate(KT("content__cadence")))
        .values("rate")[:1]
    )
    return Coalesce(
        Subquery(signed, output_field=FloatField()),
        CadenceRate(F(f"{path}program__default_cadence")),
        Value(1 / CADENCE_DAYS[FALLBACK_CADENCE]),
        output_field=FloatField(),
    )


Changes = dict[date, tuple[int, float]]  # per day: pairs, and the meetings they plan a day


def _grouped(rows: QuerySet, *, shifted: str = "") -> Changes:
    """``{day: (pairs, planned)}`` from rows grouped by ``day``; a row whose ``shifted`` flag
    is set counts the day after its ``day``."""
    found: dict[date, tuple[int, float]] = {}
    for row in rows:
        day = as_date(row["day"]) + timedelta(days=1 if shifted and row[shifted] else 0)
        pairs, planned = found.get(day, (0, 0.0))
        found[day] = (pairs + row["pairs"], planned + float(row["planned"] or 0))
    return found


def _pairs(scope: InsightScope, period: Period) -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(
        program_id__in=scope.program_ids,
        activated_at__isnull=False,
        activated_at__lt=period.end_at,
    ).annotate(per_day=_meetings_per_day("pk"))


def _changes(pairs: QuerySet[Mentorship], field: str) -> Changes:
    rows = (
        pairs.annotate(day=UTCDay(field))
        .values("day")
        .annotate(pairs=Count("pk"), planned=Sum("per_day"))
        .order_by()
    )
    return _grouped(rows)


def _pauses(scope: InsightScope, period: Period) -> tuple[Changes, Changes]:
    """When paused days begin and when the pairs are back (a pause's days run from its first
    day up to its first day back), clipped to the days the pair was active: a pause that runs
    past the pair's end gives the pair back the day after its last day, as its end takes it."""
    pauses = (
        MentorshipPause.objects.filter(
            mentorship__program_id__in=scope.program_ids,
            mentorship__activated_at__lt=period.end_at,
            starts_on__lt=period.end,
        )
        .annotate(
            per_day=_meetings_per_day("mentorship_id", "mentorship__"),
            active_from=UTCDay("mentorship__activated_at"),
            active_to=UTCDay("mentorship__ended_at"),
        )
        .filter(ends_on__gt=F("active_from"))
        .filter(Q(active_to__isnull=True) | Q(starts_on__lte=F("active_to")))
    )
    late = Q(starts_on__lt=F("active_from"))
    cut = Q(active_to__lt=F("ends_on"))
    begin = (
        pauses.annotate(
            day=Case(
                When(late, then=F("active_from")), default=F("starts_on"), output_field=DateField()
            )
        )
        .values("day")
        .annotate(pairs=Count("pk"), planned=Sum("per_day"))
        .order_by()
    )
    back = (
        pauses.annotate(
            day=Case(
                When(cut, then=F("active_to")), default=F("ends_on"), output_field=DateField()
            ),
            cut=Case(
                When(cut, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .values("day", "cut")
        .annotate(pairs=Count("pk"), planned=Sum("per_day"))
        .order_by()
    )
    return _grouped(begin), _grouped(back, shifted="cut")


@dataclass(frozen=True)
class PairDay:
    pairs: int  # pairs active on the day
    planned: float  # meetings those pairs planned for the day


def pair_days(scope: InsightScope, period: Period) -> dict[date, PairDay]:
    """Active pairs and planned meetings on each day of ``period`` (four grouped queries)."""
    pairs = _pairs(scope, period)
    started = _changes(pairs, "activated_at")
    # A pair that ended on a day is still active that day: it leaves the day after.
    ended = _changes(pairs.filter(ended_at__isnull=False, ended_at__lt=period.end_at), "ended_at")
    ended = {day + timedelta(days=1): change for day, change in ended.items()}
    paused, back = _pauses(scope, period)
    delta: dict[date, list[float]] = defaultdict(lambda: [0, 0.0])
    for changes, sign in ((started, 1), (ended, -1), (paused, -1), (back, 1)):
        for day, (count, planned) in changes.items():
            moved = max(day, period.first)
            delta[moved][0] += sign * count
            delta[moved][1] += sign * planned
    active, planned = 0, 0.0
    found = {}
    for day in period.days():
        active += int(delta[day][0])
        planned += delta[day][1]
        found[day] = PairDay(active, max(planned, 0.0))
    return found
