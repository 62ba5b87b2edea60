"""The engagement section: meetings held against the agreed cadence, messages per pair per
week, action items done on time and goals progress, for the range and week by week.

Everything is counted in SQL, grouped by day (see ``days`` for what a counted day, an active
pair and a planned meeting are); the weeks and the totals add those few hundred day totals up.
Counts only: no meeting, message, action item or goal is read, and no row is about one pair.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement.days import period_of
from tandem.insights.selectors.engagement.goals import goals_table
from tandem.insights.selectors.engagement.weeks import Tally, tally_by_week, total_of
from tandem.insights.tables import Chart, Column, ColumnKind, InsightTable

NO_DAYS = "No whole day of these quarters has passed with a pair in these programs."
NO_PAIRS = "No pair was active on these days: planned meetings and per-pair figures are empty."
NO_ITEMS_DUE = "No action item was due on these days."
DAYS_NOTE = (
    "Weeks run Monday to Sunday (UTC); a week cut by the start or the end of the range, or by "
    "today, counts only its days inside it (the days column)."
)

WEEK = Column("week", "Week starting", ColumnKind.TEXT)
DAYS = Column("days", "Days counted")
ACTIVE = Column("active_pairs", "Pairs active (daily average)", ColumnKind.NUMBER)
PLANNED = Column("planned", "Meetings planned", ColumnKind.NUMBER)
HELD = Column("held", "Meetings held")
HELD_SHARE = Column("held_share", "Held of planned", ColumnKind.RATE)
MESSAGES = Column("messages", "Messages")
PER_PAIR = Column("messages_per_pair", "Messages per pair per week", ColumnKind.NUMBER)
DUE = Column("due", "Action items due")
ON_TIME = Column("on_time", "Done on time")
ON_TIME_SHARE = Column("on_time_share", "Done on time (share)", ColumnKind.RATE)


def _pick(tally: Tally, columns: list[Column], week: date | None = None) -> dict:
    cells = tally.cells()
    row = {column.key: cells[column.key] for column in columns if column.key != "week"}
    if week is not None:
        row["week"] = week.isoformat()
    return row


def _totals_table(total: Tally | None) -> InsightTable:
    columns = [ACTIVE, PLANNED, HELD, HELD_SHARE, MESSAGES, PER_PAIR, DUE, ON_TIME, ON_TIME_SHARE]
    table = InsightTable(
        key="totals",
        title="Engagement in these quarters",
        summary=(
            "Over the whole days of the range up to yesterday: the pairs active on an average "
            "day; the meetings their agreed cadences planned and the meetings held (not "
            "cancelled, not marked as not taken place); messages sent and messages per pair "
            "per week; the action items due and the share done by the end of their due date."
        ),
        columns=[DAYS, *columns],
    )
    if total is not None:
        table.rows.append(_pick(total, table.columns))
    return table


def _weekly(
    key: str, title: str, summary: str, columns: list[Column], chart: Chart
) -> InsightTable:
    return InsightTable(
        key=key, title=title, summary=summary, columns=[WEEK, DAYS, *columns], chart=chart
    )


def _weekly_tables() -> list[InsightTable]:
    return [
        _weekly(
            "meetings_by_week",
            "Meetings held and planned, week by week",
            "Each week: the pairs active on an average day, the meetings their agreed cadences "
            "planned (one per cadence period, spread over its days), the meetings held (not "
            "cancelled, not marked as not taken place, started that week) and held as a share "
            "of planned.",
            [ACTIVE, PLANNED, HELD, HELD_SHARE],
            Chart("line", x="week", series=("planned", "held"), y_label="Meetings"),
        ),
        _weekly(
            "messages_by_week",
            "Messages per pair, week by week",
            "Each week: the messages sent in the pairs' conversations (counted, never read) and "
            "messages per active pair per week (messages divided by the pair-days, times seven).",
            [ACTIVE, MESSAGES, PER_PAIR],
            Chart("line", x="week", series=("messages_per_pair",), y_label="Messages per pair"),
        ),
        _weekly(
            "action_items_by_week",
            "Action items done on time, by week due",
            "Each week: the action items due that week (items without a due date are never due) "
            "and how many were done by the end of their due date (UTC).",
            [DUE, ON_TIME, ON_TIME_SHARE],
            Chart("line", x="week", series=("due", "on_time"), y_label="Action items"),
        ),
    ]


def engagement_tables(scope: InsightScope, *, now: datetime | None = None) -> list[InsightTable]:
    today = (now or timezone.now()).astimezone(UTC).date()
    period = period_of(scope, today=today)
    weekly = _weekly_tables()
    weeks = tally_by_week(scope, period) if period is not None else {}
    total = total_of(weeks) if weeks else None
    totals = _totals_table(total)
    for table in weekly:
        for monday, tally in sorted(weeks.items()):
            table.rows.append(_pick(tally, table.columns, monday))
    tables = [totals, *weekly]
    if total is None:
        for table in tables:
            table.notes.append(NO_DAYS)
    else:
        for table in weekly:
            table.notes.append(DAYS_NOTE)
        if not total.pair_days:
            for table in tables[:3]:
                table.notes.append(NO_PAIRS)
        if not total.due:
            for table in (totals, weekly[2]):
                table.notes.append(NO_ITEMS_DUE)
    return [*tables, goals_table(scope)]
