"""What a request may cost before it has a place: the equity section's version reads the
cache only (its audit runs in the computation, under the lock and within the user's limit),
waiting for another's computation is bounded in number and time and holds no database
connection, and the per-user limit holds even in a cache whose ``incr`` is not atomic."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import replace

import pytest
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

from tandem.core.exceptions import TooManyRequests
from tandem.insights import sections
from tandem.insights.equity.suppression import withhold_every_group
from tandem.insights.models import InsightSnapshot
from tandem.insights.scope import scope_of
from tandem.insights.sections import section_named
from tandem.insights.selectors import equity_data
from tandem.insights.snapshots import snapshot_store
from tandem.insights.tables import Column, ColumnKind, InsightTable
from tests.insights.cast import cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fast_password_hashing, settings):
    settings.INSIGHTS_MAX_AGE = 600
    return cast()


@pytest.fixture
def audits(monkeypatch):
    """How many times the site's equity data was gathered (the costly part of the audit)."""
    calls: list[None] = []
    gather = equity_data.equity_releases

    def counted():
        calls.append(None)
        return gather()

    monkeypatch.setattr(equity_data, "equity_releases", counted)
    return calls


def test_the_equity_version_audits_nothing(world, audits):
    assert section_named("equity").current_version() and not audits


def test_a_user_past_the_limit_makes_no_audit(world, audits, settings):
    settings.INSIGHTS_FRESH_LIMIT = 0
    section, scope = section_named("equity"), scope_of((world.program.pk,))
    with pytest.raises(TooManyRequests):
        section.build_dated(scope, by=world.people["program admin"].pk)
    assert not audits and not InsightSnapshot.objects.exists()


def test_the_snapshot_is_stored_under_the_audit_it_was_made_from(world, audits, monkeypatch):
    section, scope = section_named("equity"), scope_of((world.program.pk,))
    pending = section.current_version()  # nothing audited yet
    _, at = section.build_dated(scope)
    assert len(audits) == 1 and section.current_version() != pending
    assert section.build_dated(scope)[1] == at  # read back, not computed again
    assert InsightSnapshot.objects.get().version == section.current_version()
    # An audit out of budget withholds everything: its snapshot is not read once the full
    # audit is cached.
    InsightSnapshot.objects.all().delete()
    equity_data.cache.clear()
    decide = equity_data.decide_in_order

    def out_of_time(data, budget=None, store=None, releases=None):
        if budget is None:
            return decide(data, budget, store, releases)
        return withhold_every_group(data)

    monkeypatch.setattr(equity_data, "decide_in_order", out_of_time)
    _, unchecked = section.build_dated(scope)
    assert InsightSnapshot.objects.get().version == section.current_version()
    equity_data.equity_refresh(at)
    assert section.build_dated(scope)[1] > unchecked


def test_an_equity_snapshot_from_the_old_rules_is_not_read(world):
    """The rules changed with the cache prefix: a snapshot stored under the old version
    string (the data version alone) is never shown."""
    section, scope = section_named("equity"), scope_of((world.program.pk,))
    section.build_dated(scope)  # the current audit, in the cache
    old = hashlib.sha256(equity_data.data_version().encode()).hexdigest()
    marker = InsightTable("old", "Old rules", "", [Column("x", "X", ColumnKind.TEXT)], [])
    InsightSnapshot.objects.all().delete()
    snapshot_store(
        section="equity", scope=scope, version=old, tables=[marker], computed_at=timezone.now()
    )
    assert [table.key for table in section.build(scope)] != ["old"]


@pytest.fixture
def busy(world, monkeypatch):
    """Another worker computes the program's health snapshot (as read by the program admin, in
    no pair: one of a pair reads a snapshot and lock of their own); polling is fast."""
    computed: list[None] = []
    section = replace(section_named("health"), compute=lambda scope: computed.append(None) or [])
    scope = scope_of((world.program.pk,))
    monkeypatch.setattr(sections, "COMPUTE_WAIT", 0.3)
    monkeypatch.setattr(sections, "POLL", 0.05)
    with section.computing(scope, "") as held:
        assert held
        yield section, scope, computed


def test_waiters_past_the_bound_are_answered_at_once(busy, monkeypatch, world):
    section, scope, computed = busy
    lock = section._lock_key(scope, "")
    for place in range(1, sections.MAX_WAITERS + 1):  # every waiting place is taken
        assert sections._take_place(lock + ":waiting", place, 60, place)
    slept: list[float] = []
    monkeypatch.setattr(sections.time, "sleep", slept.append)
    with pytest.raises(TooManyRequests) as refused:
        section.build_dated(scope, by=world.people["program admin"].pk)
    assert not slept and not computed
    assert sections.COMPUTE_LOCK - 5 < refused.value.retry_after <= sections.COMPUTE_LOCK


def test_a_waiter_gives_its_place_back_and_its_connection_while_polling(busy, monkeypatch, world):
    section, scope, _ = busy
    closed: list[None] = []

    class Connection:
        in_atomic_block = False

        def close(self):
            closed.append(None)

    monkeypatch.setattr(sections, "connection", Connection())
    for _ in range(sections.MAX_WAITERS + 1):  # one after another: each place is given back
        with pytest.raises(TooManyRequests):
            section.build_dated(scope, by=world.people["program admin"].pk)
    assert len(closed) >= sections.MAX_WAITERS + 1


class RacyCache(LocMemCache):
    """Like the database cache: ``incr`` reads, then writes (slowly, so requests overlap)."""

    def get(self, *args, **kwargs):
        value = super().get(*args, **kwargs)
        time.sleep(0.01)  # the write comes after others have read
        return value

    incr = BaseCache.incr


def test_the_limit_holds_for_requests_at_once_in_a_cache_without_atomic_incr(settings, monkeypatch):
    settings.INSIGHTS_FRESH_LIMIT = 5
    monkeypatch.setattr(sections, "cache", RacyCache("racy", {}))
    taken: list[int] = []
    together = threading.Barrier(16)

    def request():
        together.wait()
        taken.append(sections._take_computation(7))

    threads = [threading.Thread(target=request) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(0) == 5, taken


def test_a_request_waiting_on_a_cold_equity_audit_gets_the_result(world, audits, monkeypatch):
    section, scope = section_named("equity"), scope_of((world.program.pk,))
    monkeypatch.setattr(sections, "POLL", 0.01)
    sleep = sections.time.sleep

    def the_other_worker_finishes(seconds):
        monkeypatch.setattr(sections.time, "sleep", sleep)
        section.refresh(scope)  # audits, stores under the audit's version, not "pending"

    with section.computing(scope, section.current_version()) as held:
        assert held
        monkeypatch.setattr(sections.time, "sleep", the_other_worker_finishes)
        _, at = section.build_dated(scope, by=1)
    assert at == InsightSnapshot.objects.get().computed_at and len(audits) == 1
