"""The insight sections, in page order. Each section builds its tables for a scope; the pages,
the API and the exports all read this list, so a section added here appears everywhere.

``Section.build`` answers from the scope's stored snapshot while it is younger than
``settings.INSIGHTS_MAX_AGE`` (and, for a section with a data ``version``, made under the
current one); otherwise it computes, stores and returns. ``insights.refresh`` keeps the default
views' snapshots fresh in the background (``tandem.insights.refresh``).

A computation takes seconds at scale, so two guards bound what requests can make the server do:
- one computation of a snapshot at a time (a lock in the cache): a request that finds it being
  computed waits up to ``COMPUTE_WAIT`` seconds for the result, holding no database connection
  meanwhile, then answers with the stale snapshot if there is one, else a 429 whose
  ``Retry-After`` is the lock's remaining life; past ``MAX_WAITERS`` waiting for the same
  view, a request answers so at once, so waiters cannot take every request slot;
- at most ``settings.INSIGHTS_FRESH_LIMIT`` computations per user in ``FRESH_WINDOW`` seconds;
  beyond it a request answers with the stale snapshot if there is one, else a 429 with
  ``Retry-After``. Reading a snapshot is never limited.

Both count with ``cache.add`` of numbered places (one key per place), which only one request
can win in every cache backend, the database's too (its ``incr`` is a read then a write)."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, TooManyRequests
from tandem.insights.models import InsightSnapshot
from tandem.insights.scope import InsightScope, without_pairs_of
from tandem.insights.selectors.engagement import engagement_tables
from tandem.insights.selectors.equity import equity_section
from tandem.insights.selectors.equity_data import equity_made_under, equity_version
from tandem.insights.selectors.funnel import funnel_tables
from tandem.insights.selectors.health import health_section
from tandem.insights.selectors.matching import matching_tables
from tandem.insights.selectors.outcomes import outcomes_tables
from tandem.insights.snapshots import (
    left_out_key,
    programs_key,
    range_key,
    snapshot_latest,
    snapshot_store,
    tables_from_json,
)
from tandem.insights.tables import InsightTable

SECTION_NOT_FOUND = "No such insight section."
FRESH_WINDOW = 600  # seconds: at most INSIGHTS_FRESH_LIMIT computations per user in each
# Seconds a computing lock lives at most: over the slowest computation (the equity section
# with its audit, under a minute at 100,000 people), so a worker that died frees it soon.
COMPUTE_LOCK = 120
COMPUTE_WAIT = 8.0  # seconds a request waits for another's computation of the same figures
MAX_WAITERS = 3  # requests waiting for one view's computation at once; more get a 429 at once
POLL = 0.25  # seconds between two looks for that computation's snapshot
LIMITED = (
    "These figures would have to be computed afresh, and you have asked for {limit} new "
    "computations in the last {minutes} minutes, the most allowed. Wait {wait} and try again; "
    "figures computed in the last few minutes (and every section's default view) still show "
    "at once."
)
BUSY = "These figures are being computed for another request. Try again in a few seconds."
OWN_PAIRS_LEFT_OUT = "Your own mentorships are not counted here."


@dataclass(frozen=True)
class Section:
    key: str  # in URLs: /insights/.../<key>/ and /api/programs/{slug}/insights/<key>
    title: str
    compute: Callable[[InsightScope], list[InsightTable]]
    # What the figures were made from, when a snapshot must not outlive it: the equity section's
    # suppression decisions are made once per data version for every scope together, so a
    # snapshot from another version could disagree with a fresh page about what is withheld.
    version: Callable[[], str] | None = None
    # The version of what the last computation read, when it can differ from ``version`` read
    # before it (the equity audit may be made or replaced meanwhile): the snapshot's own.
    made_under: Callable[[], str] | None = None
    # Whether the figures leave out the reader's own pairs: those made of one side's private
    # answers or choices (health, outcomes), which a reader in the pair would otherwise read
    # the partner's in (a snapshot is stored per set left out; docs/insights.md).
    leaves_out_readers_pairs: bool = False

    def build(self, scope: InsightScope, *, by: int | None = None) -> list[InsightTable]:
        return self.build_dated(scope, by=by)[0]

    def build_dated(
        self, scope: InsightScope, *, by: int | None = None
    ) -> tuple[list[InsightTable], datetime]:
        """The tables and when they were computed: a fresh enough snapshot's, or new ones (none
        for an ``empty`` range, at once). ``by`` is the user asking: their computations are
        counted against ``INSIGHTS_FRESH_LIMIT``, and their own pairs left out if the section
        does so; a raise of ``TooManyRequests`` computed nothing."""
        if scope.empty:
            return [], timezone.now()
        if self.leaves_out_readers_pairs and by is not None:
            scope = without_pairs_of(scope, by)
        version = self.current_version()
        stored = snapshot_latest(section=self.key, scope=scope, version=version)
        if stored is not None and _fresh(stored):
            return _read(stored)
        lock = self._lock_key(scope, version)
        deadline = time.monotonic() + COMPUTE_WAIT
        waiting = 0  # the waiting place taken, once this request waits
        try:
            while True:
                with self.computing(scope, version) as held:
                    if held:
                        return self._compute_once(scope, version, stored, by)
                waiting = waiting or _take_place(lock + ":waiting", MAX_WAITERS, COMPUTE_LOCK)
                if not waiting or time.monotonic() >= deadline:
                    return _busy(lock, stored)
                if not connection.in_atomic_block:
                    connection.close()  # back to the pool while polling (reopened on use)
                time.sleep(POLL)
                # Under the version now: the other's snapshot is stored under the audit it
                # read, which is not "pending" when this request looked before it was made.
                now = self.current_version() if self.version else version
                newer = snapshot_latest(section=self.key, scope=scope, version=now)
                if newer is not None and _newer(newer, stored):
                    return _read(newer)  # the other request's result
        finally:
            if waiting:
                cache.delete(f"{lock}:waiting:{waiting}")

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
        held for the ``with`` block and lives ``COMPUTE_LOCK`` seconds at most (its value: when
        it ends, for ``Retry-After``)."""
        key = self._lock_key(scope, version)
        held = cache.add(key, time.time() + COMPUTE_LOCK, timeout=COMPUTE_LOCK)
        try:
            yield held
        finally:
            if held:
                cache.delete(key)

    def _lock_key(self, scope: InsightScope, version: str) -> str:
        parts = (
            self.key,
            programs_key(scope.program_ids),
            range_key(scope),
            left_out_key(scope),
            version,
        )
        return "tandem:insights-computing:" + hashlib.sha256("|".join(parts).encode()).hexdigest()

    def refresh(
        self, scope: InsightScope, *, version: str | None = None
    ) -> tuple[list[InsightTable], datetime]:
        """Compute the tables now and store them as the scope's snapshot, under the version
        they were made under."""
        version = self.current_version() if version is None else version
        now = timezone.now()
        tables = self.compute(scope)
        if scope.left_out and tables:
            tables[0].notes.insert(0, OWN_PAIRS_LEFT_OUT)  # said once, under the first table
        made = self.made_under() if self.made_under else ""
        version = _digest(made) if made else version
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
        return _digest(self.version()) if self.version else ""


SECTIONS: tuple[Section, ...] = (
    Section("funnel", "Funnel", funnel_tables),
    Section("matching", "Matching", matching_tables),
    Section("engagement", "Engagement", engagement_tables),
    Section("outcomes", "Outcomes", outcomes_tables, leaves_out_readers_pairs=True),
    Section("health", "Health", health_section, leaves_out_readers_pairs=True),
    Section("equity", "Equity of access", equity_section, equity_version, equity_made_under),
)


def _digest(version: str) -> str:
    return hashlib.sha256(version.encode()).hexdigest()


def _fresh(stored: InsightSnapshot) -> bool:
    max_age = settings.INSIGHTS_MAX_AGE
    return max_age > 0 and stored.computed_at > timezone.now() - timedelta(seconds=max_age)


def _newer(found: InsightSnapshot, than: InsightSnapshot | None) -> bool:
    return than is None or found.computed_at > than.computed_at


def _read(stored: InsightSnapshot) -> tuple[list[InsightTable], datetime]:
    return tables_from_json(stored.tables), stored.computed_at


def _busy(lock: str, stored: InsightSnapshot | None) -> tuple[list[InsightTable], datetime]:
    """Another request is computing: the stale snapshot, else a 429 to retry once the lock
    has surely gone."""
    if stored is not None:
        return _read(stored)
    until = cache.get(lock)
    left = until - time.time() if isinstance(until, float) else 0
    raise TooManyRequests(BUSY, retry_after=max(1, math.ceil(left)))


def _take_place(key: str, places: int, timeout: int, first: int = 1) -> int:
    """The number of the first place from ``first`` to ``places`` this request took, 0 if
    all are taken: ``add`` of a new key succeeds for one request only."""
    for place in range(first, places + 1):
        if cache.add(f"{key}:{place}", True, timeout=timeout):
            return place
    return 0


def _take_computation(user_id: int) -> int:
    """Take one of the user's ``INSIGHTS_FRESH_LIMIT`` places in this ``FRESH_WINDOW``; 0 if
    taken, else the seconds until the window ends. The last place taken is kept as a hint
    of where to start (every place before it is taken), so a request usually tries one."""
    now = time.time()
    window = int(now // FRESH_WINDOW)
    key = f"tandem:insights-fresh:{user_id}:{window}"
    taken = cache.get(key + ":taken", 0)
    place = _take_place(key, settings.INSIGHTS_FRESH_LIMIT, FRESH_WINDOW, taken + 1)
    if place:
        cache.set(key + ":taken", place, timeout=FRESH_WINDOW)
        return 0
    return int((window + 1) * FRESH_WINDOW - now) + 1


def section_named(key: str) -> Section:
    for section in SECTIONS:
        if section.key == key:
            return section
    raise NotFound(SECTION_NOT_FOUND)
