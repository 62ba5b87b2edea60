"""The outcomes section: check-in and closing-survey results, completion and early-ending
rates with what the early endings were, and the re-match rate. Aggregates only: no answer,
comment or end reason is ever shown, and check-in figures of fewer than five answers are
withheld. A reader who is one of a pair reads the section without their own pairs
(``Section.leaves_out_readers_pairs``): how a pair ended early and its check-in answers are one
side's private choice or answer."""

from __future__ import annotations

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.outcomes.checkins import checkin_tables
from tandem.insights.selectors.outcomes.endings import ending_tables
from tandem.insights.tables import InsightTable


def outcomes_tables(scope: InsightScope) -> list[InsightTable]:
    return [*checkin_tables(scope), *ending_tables(scope)]
