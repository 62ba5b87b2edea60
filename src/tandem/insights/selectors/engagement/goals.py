"""Goals progress: the goals the pairs set in the range, by their state today, with their
average recorded progress. One grouped query; no goal's text is read."""

from __future__ import annotations

from django.db.models import Avg, Count

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement.weeks import share
from tandem.insights.tables import Chart, Column, ColumnKind, InsightTable
from tandem.mentorships.models import Goal, GoalState

NO_GOALS = "No pair set a goal in these quarters."
ALL_GOALS = "All {goals} goals together: {progress} % average progress."


def goals_table(scope: InsightScope) -> InsightTable:
    table = InsightTable(
        key="goals",
        title="Goals progress",
        summary=(
            "The goals pairs set in these quarters, by where each stands today (not started, "
            "in progress, achieved, dropped), with the share of all those goals and their "
            "average progress as the pair last recorded it (0 to 100 %)."
        ),
        columns=[
            Column("state", "Goal state", ColumnKind.TEXT),
            Column("goals", "Goals"),
            Column("share", "Share of goals", ColumnKind.RATE),
            Column("progress", "Average progress", ColumnKind.RATE),
        ],
        chart=Chart("bar", x="state", series=("goals",), y_label="Goals"),
    )
    rows = (
        Goal.objects.filter(mentorship__program_id__in=scope.program_ids)
        .filter(scope.within("created_at"))
        .values("state")
        .annotate(goals=Count("pk"), progress=Avg("percent"))
        .order_by()
    )
    found = {row["state"]: row for row in rows}
    total = sum(row["goals"] for row in found.values())
    if total:
        # The average over all the goals, weighted from the per-state averages.
        overall = sum(float(row["progress"]) * row["goals"] for row in found.values()) / total
        table.notes.append(ALL_GOALS.format(goals=total, progress=round(overall)))
    else:
        table.notes.append(NO_GOALS)
    for state in GoalState:
        row = found.get(state.value)
        count = row["goals"] if row else 0
        progress = row["progress"] if row else None
        table.rows.append(
            {
                "state": state.label,
                "goals": count,
                "share": share(count, total),
                "progress": round(float(progress) / 100, 3) if progress is not None else None,
            }
        )
    return table
