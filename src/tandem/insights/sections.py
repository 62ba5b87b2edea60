"""The insight sections, in page order. Each section builds its tables for a scope; the pages,
the API and the exports all read this list, so a section added here appears everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tandem.core.exceptions import NotFound
from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement import engagement_tables
from tandem.insights.selectors.equity import equity_section
from tandem.insights.selectors.funnel import funnel_tables
from tandem.insights.selectors.health import health_section
from tandem.insights.selectors.matching import matching_tables
from tandem.insights.selectors.outcomes import outcomes_tables
from tandem.insights.tables import InsightTable

SECTION_NOT_FOUND = "No such insight section."


@dataclass(frozen=True)
class Section:
    key: str  # in URLs: /insights/.../<key>/ and /api/programs/{slug}/insights/<key>
    title: str
    build: Callable[[InsightScope], list[InsightTable]]


SECTIONS: tuple[Section, ...] = (
    Section("funnel", "Funnel", funnel_tables),
    Section("matching", "Matching", matching_tables),
    Section("engagement", "Engagement", engagement_tables),
    Section("outcomes", "Outcomes", outcomes_tables),
    Section("health", "Health", health_section),
    Section("equity", "Equity of access", equity_section),
)


def section_named(key: str) -> Section:
    for section in SECTIONS:
        if section.key == key:
            return section
    raise NotFound(SECTION_NOT_FOUND)
