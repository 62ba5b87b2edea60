"""Goals progress: the goals the pairs set in the range, by their state today, with their
average recorded progress. One grouped query; no goal's text is read."""

from __future__ import annotations

from django.db.models import Avg, Count

from tandem.insights.scope import InsightScope
from tandem.insights.tables import Column, ColumnKind, InsightTable, add_counted_rows, counted_table
from tandem.mentorships.models import Goal, GoalState

NO_GOALS = "No pair set a goal in these quarters."
ALL_GOALS = "All {goals} goals together: {progress} % average progress."


def goals_table(scope: InsightScope) -> InsightTable:
    table = counted_table(
        key="goals",
        title="Goals progress",
        summary=(
            "The goals pairs set in these quarters, by where each stands today (not started, "
            "in progress, achieved, dropped), with the share of all those goals and their "
            "average progress as the pair last recorded it (0 to 100 %)."
        ),
        labels=[Column("state", "Goal state", ColumnKind.TEXT)],
        count=Column("goals", "Goals"),
        share_label="Share of goals",
        more=(Column("progress", "Average progress", ColumnKind.RATE),),
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
    goals = {state: row["goals"] for state, row in found.items()}
    progress = {state: row["progress"] for state, row in found.items()}
    add_counted_rows(table, [(s.label, goals.get(s.value, 0)) for s in GoalState], total=total)
    for state, row in zip(GoalState, table.rows, strict=True):
        average = progress.get(state.value)
        row["progress"] = round(float(average) / 100, 3) if average is not None else None
    return table
