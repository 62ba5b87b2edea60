"""The health section: how the pairs' health was spread over the weeks, the reasons the health
rules gave most often, and how the active pairs stand today.

Health is kept as a ``HealthSnapshot`` each time a pair's state or reasons change, so a pair's
state at the end of a week is its latest snapshot by then. Counting that for every week is done
with two grouped counts, not a loop over pairs: each snapshot *enters* its state in the week it
was taken and *leaves* it in the week of the pair's next snapshot (or the week the pair ended).
The pairs in a state at the end of week W are the entries minus the leavings up to W, a running
sum over a few dozen weekly totals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    When,
)
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils import timezone

from tandem.feedback.health import REASON_CODES
from tandem.feedback.models import HealthSnapshot, HealthState
from tandem.insights.scope import InsightScope
from tandem.insights.tables import (
    Cell,
    Chart,
    Column,
    ColumnKind,
    InsightTable,
    add_counted_rows,
    counted_table,
)
from tandem.mentorships.models import Mentorship, MentorshipState

STATES = tuple(HealthState)
FLAGGED = (HealthState.AT_RISK, HealthState.STALLED)
NO_SNAPSHOTS = "No pair's health was recorded in these quarters."
NO_ACTIVE_PAIRS = "No pair matched in these quarters is active now."
NOT_ASSESSED = "Not assessed yet"
PAIRS = Column("pairs", "Pairs")
NOT_ASSESSED_NOTE = (
    "Not assessed yet: pairs whose health has not been computed (it is, within a day of the "
    "pair starting)."
)


def _snapshots(scope: InsightScope) -> QuerySet[HealthSnapshot]:
    return HealthSnapshot.objects.filter(program_id__in=scope.program_ids).exclude(
        mentorship_id__in=scope.left_out
    )


def _next_at() -> Subquery:
    """When the pair's next snapshot was taken (``None`` for its latest)."""
    later = HealthSnapshot.objects.filter(mentorship=OuterRef("mentorship")).filter(
        Q(computed_at__gt=OuterRef("computed_at"))
        | Q(computed_at=OuterRef("computed_at"), pk__gt=OuterRef("pk"))
    )
    return Subquery(later.order_by("computed_at", "pk").values("computed_at")[:1])


def _left_at() -> Coalesce:
    """When the pair left a snapshot's state: its next snapshot, or the end of the mentorship
    (``None`` while the state still holds)."""
    ended = Case(
        When(mentorship__ended_at__gte=F("computed_at"), then=F("mentorship__ended_at")),
        default=None,
        output_field=DateTimeField(),
    )
    return Coalesce(_next_at(), ended, output_field=DateTimeField())


def _day(moment: F | Coalesce) -> Substr:
    """The UTC day of a datetime as ``YYYY-MM-DD`` text, computed natively by both databases:
    SQLite stores datetimes as UTC text, and PostgreSQL writes them as text in the connection's
    time zone, which Django sets to UTC. (``TruncWeek`` is a Python function call per row on
    SQLite, twenty times slower.)"""
    return Substr(Cast(moment, CharField()), 1, 10)


def _weekly_changes(scope: InsightScope) -> dict[date, dict[str, int]]:
    """``{week's Monday: {state: pairs entering minus pairs leaving}}``, over all time (a pair
    in a state since before the range still counts in it). Counted by day in the database;
    the days' totals (a few per day, never a row per pair) are added up by week here."""
    changes: dict[date, dict[str, int]] = {}
    snapshots = _snapshots(scope)
    if scope.end is not None:  # nothing after the last week shown changes what it shows
        last_week_end = _monday(scope.end - timedelta(microseconds=1)) + timedelta(days=7)
        cutoff = datetime(last_week_end.year, last_week_end.month, last_week_end.day, tzinfo=UTC)
        snapshots = snapshots.filter(computed_at__lt=cutoff)
    entered = (
        snapshots.annotate(day=_day(F("computed_at")))
        .values("day", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    left = (
        snapshots.annotate(day=_day(_left_at()))
        .values("day", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for rows, sign in ((entered, 1), (left, -1)):
        for row in rows:
            if row["day"] is None:  # still in that state
                continue
            week = _monday_of(date.fromisoformat(row["day"]))
            by_state = changes.setdefault(week, {})
            by_state[row["state"]] = by_state.get(row["state"], 0) + sign * row["n"]
    return changes


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _monday(moment: datetime) -> date:
    return _monday_of(moment.astimezone(UTC).date())


def _weeks_shown(scope: InsightScope, first_change: date) -> tuple[date, date]:
    """The Mondays shown: weeks that start inside the range (and after the first snapshot, up
    to this week)."""
    first = first_change
    if scope.start is not None:
        first = max(first, _monday(scope.start + timedelta(days=6)))
    last = _monday(timezone.now())
    if scope.end is not None:
        last = min(last, _monday(scope.end - timedelta(microseconds=1)))
    return first, last


def weekly_states_table(scope: InsightScope) -> InsightTable:
    columns = [Column("week", "Week starting", ColumnKind.TEXT)]
    columns += [Column(state.value, state.label) for state in STATES]
    columns += [
        Column("pairs", "Pairs with a health"),
        Column("flagged_share", "At risk or stalled", ColumnKind.RATE),
    ]
    table = InsightTable(
        key="states_by_week",
        title="Health of the pairs, week by week",
        summary=(
            "For each week that starts in the chosen quarters: how many pairs were in each "
            "health state at the end of that week (the state their latest health check by "
            "then gave), counting active pairs only, and the share at risk or stalled."
        ),
        columns=columns,
        chart=Chart(
            "stacked_bar", x="week", series=tuple(s.value for s in STATES), y_label="Pairs"
        ),
    )
    changes = _weekly_changes(scope)
    if not changes:
        table.notes.append(NO_SNAPSHOTS)
        return table
    first, last = _weeks_shown(scope, min(changes))
    running = dict.fromkeys(STATES, 0)
    for week in sorted(w for w in changes if w < first):
        _add(running, changes[week])
    week = first
    while week <= last:
        _add(running, changes.get(week, {}))
        table.rows.append(_week_row(week, running))
        week += timedelta(days=7)
    if not table.rows:
        table.notes.append(NO_SNAPSHOTS)
    return table


def _add(running: dict[HealthState, int], change: dict[str, int]) -> None:
    for state, n in change.items():
        running[HealthState(state)] += n


def _week_row(week: date, running: dict[HealthState, int]) -> dict[str, Cell]:
    total = sum(running.values())
    flagged = sum(running[state] for state in FLAGGED)
    row: dict[str, Cell] = {"week": week.isoformat()}
    row.update({state.value: running[state] for state in STATES})
    row["pairs"] = total
    row["flagged_share"] = round(flagged / total, 4) if total else None
    return row


def reasons_table(scope: InsightScope) -> InsightTable:
    table = counted_table(
        key="reasons",
        title="Reasons the health checks gave",
        summary=(
            "Each reason the health rules can give, in plain words, with the number of pairs "
            "whose health was recorded with it at least once in the chosen quarters (a pair "
            "counts once per reason), and that number as a share of all the pairs whose health "
            "was recorded then, most common first; reasons no pair was given are left out. "
            "Concerns lower a pair's health; strengths raise it."
        ),
        labels=[
            Column("reason", "Reason", ColumnKind.TEXT),
            Column("kind", "Concern or strength", ColumnKind.TEXT),
        ],
        count=PAIRS,
        share_label="Share of pairs",
        chart="hbar",
    )
    recorded = (
        _snapshots(scope)
        .filter(scope.within("computed_at"))
        .annotate(codes=Cast("reason_codes", TextField()))
    )
    counts = recorded.aggregate(
        all_pairs=Count("mentorship", distinct=True),
        **{
            reason.code: Count(
                "mentorship", distinct=True, filter=Q(codes__contains=f'"{reason.code}"')
            )
            for reason in REASON_CODES
        },
    )
    total = counts["all_pairs"]
    if not total:
        table.notes.append(NO_SNAPSHOTS)
        return table
    given = [reason for reason in REASON_CODES if counts[reason.code]]
    rows = [
        (reason.meaning, "Concern" if reason.concern else "Strength", counts[reason.code])
        for reason in sorted(given, key=lambda reason: -counts[reason.code])
    ]
    add_counted_rows(table, rows, total=total, decimals=4)
    return table


def current_states_table(scope: InsightScope) -> InsightTable:
    table = counted_table(
        key="current",
        title="Health of the active pairs today",
        summary=(
            "The pairs matched in the chosen quarters that are active today, by their current "
            "health state, and each state's share of them."
        ),
        labels=[Column("state", "Health", ColumnKind.TEXT)],
        count=PAIRS,
        share_label="Share of active pairs",
    )
    active = Mentorship.objects.filter(
        scope.within("created_at"),
        program_id__in=scope.program_ids,
        state=MentorshipState.ACTIVE,
    ).exclude(pk__in=scope.left_out)
    counts = active.aggregate(
        total=Count("pk"),
        not_assessed=Count("pk", filter=Q(health__isnull=True)),
        **{state.value: Count("pk", filter=Q(health__state=state)) for state in STATES},
    )
    total = counts["total"]
    if not total:
        table.notes.append(NO_ACTIVE_PAIRS)
        return table
    labelled = [(state.label, counts[state.value]) for state in STATES]
    labelled.append((NOT_ASSESSED, counts["not_assessed"]))
    add_counted_rows(table, labelled, total=total, decimals=4)
    if counts["not_assessed"]:
        table.notes.append(NOT_ASSESSED_NOTE)
    return table


def health_section(scope: InsightScope) -> list[InsightTable]:
    """The three tables, without the pairs ``scope`` leaves out (the reader's own: their states
    and reasons come from the partner's private answers)."""
    return [weekly_states_table(scope), reasons_table(scope), current_states_table(scope)]
