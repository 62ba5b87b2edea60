"""The engagement figures week by week and for the whole range, from the per-day counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement.activity import (
    action_items_due,
    meetings_held,
    messages_sent,
)
from tandem.insights.selectors.engagement.days import Period, monday_of, pair_days
from tandem.insights.tables import Cell, share


@dataclass
class Tally:
    """The counts of one week (or of the whole range)."""

    days: int = 0
    pair_days: int = 0  # sum over the days of the pairs active that day
    planned: float = 0.0
    held: int = 0
    messages: int = 0
    due: int = 0
    on_time: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def active_pairs(self) -> float | None:
        """Pairs active on an average day."""
        return round(self.pair_days / self.days, 1) if self.days else None

    @property
    def planned_rounded(self) -> float:
        return round(self.planned, 1)

    @property
    def held_share(self) -> float | None:
        return share(self.held, round(self.planned, 6))

    @property
    def messages_per_pair_week(self) -> float | None:
        """Messages per active pair per week: messages over pair-days, times seven."""
        return round(7 * self.messages / self.pair_days, 2) if self.pair_days else None

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.due)

    def cells(self) -> dict[str, Cell]:
        return {
            "days": self.days,
            "active_pairs": self.active_pairs,
            "planned": self.planned_rounded,
            "held": self.held,
            "held_share": self.held_share,
            "messages": self.messages,
            "messages_per_pair": self.messages_per_pair_week,
            "due": self.due,
            "on_time": self.on_time,
            "on_time_share": self.on_time_share,
        }


def tally_by_week(scope: InsightScope, period: Period) -> dict[date, Tally]:
    """Every counted week's tally (keyed by its Monday), from five grouped queries."""
    pairs = pair_days(scope, period)
    held = meetings_held(scope, period)
    messages = messages_sent(scope, period)
    due = action_items_due(scope, period)
    weeks: dict[date, Tally] = {}
    for day in period.days():
        today = pairs[day]
        items = due.get(day)
        weeks.setdefault(monday_of(day), Tally()).add(
            Tally(
                days=1,
                pair_days=today.pairs,
                planned=today.planned,
                held=held.get(day, 0),
                messages=messages.get(day, 0),
                due=items.due if items else 0,
                on_time=items.on_time if items else 0,
            )
        )
    return weeks


def total_of(weeks: dict[date, Tally]) -> Tally:
    total = Tally()
    for tally in weeks.values():
        total.add(tally)
    return total
