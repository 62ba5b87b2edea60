"""The insight sections, in page order. Each section builds its tables for a scope; the pages,
the API and the exports all read this list, so a section added here appears everywhere.

``Section.build`` answers from the scope's stored snapshot while it is younger than
``settings.INSIGHTS_MAX_AGE`` (and, for a section with a data ``version``, made under the
current one); otherwise it computes, stores and returns. ``insights.refresh`` keeps the default
views' snapshots fresh in the background (``tandem.insights.refresh``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement import engagement_tables
from tandem.insights.selectors.equity import equity_section
from tandem.insights.selectors.equity_data import equity_version
from tandem.insights.selectors.funnel import funnel_tables
from tandem.insights.selectors.health import health_section
from tandem.insights.selectors.matching import matching_tables
from tandem.insights.selectors.outcomes import outcomes_tables
from tandem.insights.snapshots import snapshot_fresh, snapshot_store, tables_from_json
from tandem.insights.tables import InsightTable

SECTION_NOT_FOUND = "No such insight section."


@dataclass(frozen=True)
class Section:
    key: str  # in URLs: /insights/.../<key>/ and /api/programs/{slug}/insights/<key>
    title: str
    compute: Callable[[InsightScope], list[InsightTable]]
    # What the figures were made from, when a snapshot must not outlive it: the equity section's
    # suppression decisions are made once per data version for every scope together, so a
    # snapshot from another version could disagree with a fresh page about what is withheld.
    version: Callable[[], str] | None = None

    def build(self, scope: InsightScope) -> list[InsightTable]:
        return self.build_dated(scope)[0]

    def build_dated(self, scope: InsightScope) -> tuple[list[InsightTable], datetime]:
        """The tables and when they were computed: a fresh enough snapshot's, or new ones."""
        version = self.current_version()
        found = snapshot_fresh(
            section=self.key,
            scope=scope,
            version=version,
            now=timezone.now(),
            max_age=settings.INSIGHTS_MAX_AGE,
        )
        if found is not None:
            return tables_from_json(found.tables), found.computed_at
        return self.refresh(scope, version=version)

    def refresh(
        self, scope: InsightScope, *, version: str | None = None
    ) -> tuple[list[InsightTable], datetime]:
        """Compute the tables now and store them as the scope's snapshot."""
        version = self.current_version() if version is None else version
        now = timezone.now()
        tables = self.compute(scope)
        snapshot_store(
            section=self.key, scope=scope, version=version, tables=tables, computed_at=now
        )
        return tables, now

    def current_version(self) -> str:
        """The digest of the data version a snapshot must match ("" for most sections)."""
        return hashlib.sha256(self.version().encode()).hexdigest() if self.version else ""


SECTIONS: tuple[Section, ...] = (
    Section("funnel", "Funnel", funnel_tables),
    Section("matching", "Matching", matching_tables),
    Section("engagement", "Engagement", engagement_tables),
    Section("outcomes", "Outcomes", outcomes_tables),
    Section("health", "Health", health_section),
    Section("equity", "Equity of access", equity_section, equity_version),
)


def section_named(key: str) -> Section:
    for section in SECTIONS:
        if section.key == key:
            return section
    raise NotFound(SECTION_NOT_FOUND)
