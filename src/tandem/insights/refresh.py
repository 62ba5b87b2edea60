"""The periodic job ``insights.refresh``: recompute, oldest first, the default view (no quarter
range) of every section for every program and for the site whose snapshot is missing or older
than half ``settings.INSIGHTS_MAX_AGE``, so pages find a fresh snapshot instead of computing.
A run refreshes at most ``REFRESH_PER_RUN`` views and starts none after ``REFRESH_BUDGET``
seconds: a section takes seconds at 100,000 people, so one tick (every minute) never runs for
minutes; the next tick carries on, oldest first, where this one stopped. A snapshot nobody
read for ``KEEP`` (a range nobody opens, a deleted program's) is deleted; one made under
another data version (the equity section's, never read again) is refreshed whatever its age.
A view that a request is computing at that moment (``Section.computing``) is skipped."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.conf import settings

from tandem.insights.models import InsightSnapshot
from tandem.insights.scope import InsightScope
from tandem.insights.sections import SECTIONS, Section
from tandem.insights.snapshots import programs_key
from tandem.programs.models import Program

REFRESH_PER_RUN = 24
REFRESH_BUDGET = 30.0  # seconds
KEEP = timedelta(days=1)
NEVER = datetime.min.replace(tzinfo=UTC)


def _scopes() -> list[InsightScope]:
    """Each program's default scope, then the site's (every program, as its page asks)."""
    ids = tuple(Program.objects.order_by("pk").values_list("pk", flat=True))
    scopes = [InsightScope((pk,)) for pk in ids]
    if len(ids) > 1:
        scopes.append(InsightScope(ids))
    return scopes


def insights_refresh(now: datetime) -> int:
    """Recompute the stalest default snapshots (within the run's bounds); how many it did."""
    max_age = settings.INSIGHTS_MAX_AGE
    if max_age <= 0:
        return 0
    keep = max(KEEP, timedelta(seconds=2 * max_age))
    InsightSnapshot.objects.filter(computed_at__lt=now - keep).delete()
    stale_before = now - timedelta(seconds=max_age / 2)
    stored = {
        (row["section"], row["programs"]): (row["computed_at"], row["version"])
        for row in InsightSnapshot.objects.filter(range="", left_out="").values(
            "section", "programs", "computed_at", "version"
        )
    }
    # A snapshot made under another data version (equity) is never read: refresh it too.
    versions = {section.key: section.current_version() for section in SECTIONS}
    due: list[tuple[datetime, int, Section, InsightScope]] = []
    for order, (scope, section) in enumerate(
        (scope, section) for scope in _scopes() for section in SECTIONS
    ):
        at, version = stored.get((section.key, programs_key(scope.program_ids)), (NEVER, ""))
        if at < stale_before or version != versions[section.key]:
            due.append((at, order, section, scope))
    due.sort(key=lambda item: (item[0], item[1]))
    started, done = time.monotonic(), 0
    for _, _, section, scope in due[:REFRESH_PER_RUN]:
        if done and time.monotonic() - started >= REFRESH_BUDGET:
            break
        with section.computing(scope, versions[section.key]) as held:
            if held:  # else a request is computing it right now
                section.refresh(scope, version=versions[section.key])
                done += 1
    return done
