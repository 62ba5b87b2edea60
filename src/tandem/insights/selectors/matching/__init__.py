"""The matching section: time to match, match quality and the reasons most often decisive,
mentors' load against capacity, and who is unmatched and why (docs/insights/matching.md)."""

from __future__ import annotations

from django.utils import timezone

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.matching.load import load_tables
from tandem.insights.selectors.matching.quality import quality_tables
from tandem.insights.selectors.matching.waiting import (
    time_to_match_tables,
    unmatched_tables,
    waiting_counts,
)
from tandem.insights.tables import InsightTable


def matching_tables(scope: InsightScope) -> list[InsightTable]:
    waiting = waiting_counts(scope, timezone.now())
    return [
        *time_to_match_tables(waiting),
        *quality_tables(scope),
        *load_tables(scope),
        *unmatched_tables(scope, waiting),
    ]
