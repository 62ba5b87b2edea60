"""The insight sections, in page order. Each section builds its tables for a scope; the pages,
the API and the exports all read this list, so a section added here appears everywhere.

``Section.build`` answers from the scope's stored snapshot while it is younger than
``settings.INSIGHTS_MAX_AGE`` (and, for a section with a data ``version``, made under the
current one); otherwise it computes, stores and returns. ``insights.refresh`` keeps the default
views' snapshots fresh in the background (``tandem.insights.refresh``).

A computation takes seconds at scale, so two guards bound what requests can make the server do:
- one computation of a snapshot at a time (a lock in the cache): a request that finds it being
  computed waits up to ``COMPUTE_WAIT`` seconds for the result, then answers with the stale
  snapshot if there is one, else a 429 asking to retry in a moment;
- at most ``settings.INSIGHTS_FRESH_LIMIT`` computations per user in ``FRESH_WINDOW`` seconds;
  beyond it a request answers with the stale snapshot if there is one, else a 429 with
  ``Retry-After``. Reading a snapshot is never limited."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, TooManyRequests
from tandem.insights.models import InsightSnapshot
from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement import engagement_tables
from tandem.insights.selectors.equity import equity_section
from tandem.insights.selectors.equity_data import equity_version
from tandem.insights.selectors.funnel import funnel_tables
from tandem.insights.selectors.health import health_section
from tandem.insights.selectors.matching import matching_tables
from tandem.insights.selectors.outcomes import outcomes_tables
from tandem.insights.snapshots import (
    programs_key,
    range_key,
    snapshot_latest,
    snapshot_store,
    tables_from_json,
)
from tandem.insights.tables import InsightTable

SECTION_NOT_FOUND = "No such insight section."
FRESH_WINDOW = 600  # seconds: at most INSIGHTS_FRESH_LIMIT computations per user in each
COMPUTE_LOCK = 300  # seconds a computing lock lives at most (a worker that died frees it)
COMPUTE_WAIT = 20.0  # seconds a request waits for another's computation of the same figures
POLL = 0.25  # seconds between two looks for that computation's snapshot
BUSY_RETRY = 5  # seconds: Retry-After when the figures are still being computed
LIMITED = (
    "These figures would have to be computed afresh, and you have asked for {limit} new "
    "computations in the last {minutes} minutes, the most allowed. Wait {wait} and try again; "
    "figures computed in the last few minutes (and every section's default view) still show "
    "at once."
)
BUSY = "These figures are being computed for another request. Try again in a few seconds."


@dataclass(frozen=True)
class Section:
    key: str  # in URLs: /insights/.../<key>/ and /api/programs/{slug}/insights/<key>
    title: str
    compute: Callable[[InsightScope], list[InsightTable]]
    # What the figures were made from, when a snapshot must not outlive it: the equity section's
    # suppression decisions are made once per data version for every scope together, so a
    # snapshot from another version could disagree with a fresh page about what is withheld.
    version: Callable[[], str] | None = None

    def build(self, scope: InsightScope, *, by: int | None = None) -> list[InsightTable]:
        return self.build_dated(scope, by=by)[0]

    def build_dated(
        self, scope: InsightScope, *, by: int | None = None
    ) -> tuple[list[InsightTable], datetime]:
        """The tables and when they were computed: a fresh enough snapshot's, or new ones (none
        for an ``empty`` range, at once). ``by`` is the user asking: their computations are
        counted against ``INSIGHTS_FRESH_LIMIT``; a raise of ``TooManyRequests`` computed
        nothing."""
        if scope.empty:
            return [], timezone.now()
        version = self.current_version()
        stored = snapshot_latest(section=self.key, scope=scope, version=version)
        if stored is not None and _fresh(stored):
            return _read(stored)
        deadline = time.monotonic() + COMPUTE_WAIT
        while True:
            with self.computing(scope, version) as held:
                if held:
                    return self._compute_once(scope, version, stored, by)
            time.sleep(POLL)
            newer = snapshot_latest(section=self.key, scope=scope, version=version)
            if newer is not None and _newer(newer, stored):
                return _read(newer)  # the other request's result
            if time.monotonic() >= deadline:
                if stored is not None:
                    return _read(stored)
                raise TooManyRequests(BUSY, retry_after=BUSY_RETRY)

    def _compute_once(
        self,
        scope: InsightScope,
        version: str,
        stored: InsightSnapshot | None,
        by: int | None,
    ) -> tuple[list[InsightTable], datetime]:
        """Under the lock: the snapshot another request stored since ``stored`` was read, else
        a computation (counted against ``by``'s limit; past it, the stale snapshot)."""
        newer = snapshot_latest(section=self.key, scope=scope, version=version)
        if newer is not None and _newer(newer, stored):
            return _read(newer)
        if by is not None:
            wait = _take_computation(by)
            if wait and stored is not None:
                return _read(stored)
            if wait:
                minutes = max(1, round(wait / 60))
                message = LIMITED.format(
                    limit=settings.INSIGHTS_FRESH_LIMIT,
                    minutes=FRESH_WINDOW // 60,
                    wait=f"{minutes} minute{'s' if minutes > 1 else ''}",
                )
                raise TooManyRequests(message, retry_after=wait)
        return self.refresh(scope, version=version)

    @contextmanager
    def computing(self, scope: InsightScope, version: str) -> Iterator[bool]:
        """Whether this worker may compute the scope's snapshot now (no other is): the lock is
        held for the ``with`` block and lives ``COMPUTE_LOCK`` seconds at most."""
        parts = (self.key, programs_key(scope.program_ids), range_key(scope), version)
        key = "tandem:insights-computing:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
        held = cache.add(key, True, timeout=COMPUTE_LOCK)
        try:
            yield held
        finally:
            if held:
                cache.delete(key)

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

    def file_tables(self, scope: InsightScope, *, by: int | None = None) -> list[InsightTable]:
        """The tables a download writes; a range with no data is a 400 that says so (a file of
        no tables would say nothing)."""
        if scope.empty:
            raise ApplicationError(scope.empty_message(), fields={"to": scope.empty_message()})
        return self.build(scope, by=by)

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


def _fresh(stored: InsightSnapshot) -> bool:
    max_age = settings.INSIGHTS_MAX_AGE
    return max_age > 0 and stored.computed_at > timezone.now() - timedelta(seconds=max_age)


def _newer(found: InsightSnapshot, than: InsightSnapshot | None) -> bool:
    return than is None or found.computed_at > than.computed_at


def _read(stored: InsightSnapshot) -> tuple[list[InsightTable], datetime]:
    return tables_from_json(stored.tables), stored.computed_at


def _take_computation(user_id: int) -> int:
    """Count one computation for the user in this ``FRESH_WINDOW``; 0 while within
    ``INSIGHTS_FRESH_LIMIT``, else the seconds until the window ends. ``add`` then ``incr``:
    two requests at once cannot both take the last place (atomic in Redis and locmem)."""
    now = time.time()
    window = int(now // FRESH_WINDOW)
    key = f"tandem:insights-fresh:{user_id}:{window}"
    cache.add(key, 0, timeout=FRESH_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: the window just ended
        cache.add(key, 1, timeout=FRESH_WINDOW)
        count = 1
    if count <= settings.INSIGHTS_FRESH_LIMIT:
        return 0
    return int((window + 1) * FRESH_WINDOW - now) + 1


def section_named(key: str) -> Section:
    for section in SECTIONS:
        if section.key == key:
            return section
    raise NotFound(SECTION_NOT_FOUND)
