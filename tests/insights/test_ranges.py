"""What a request can make the server compute: a range is clipped to the quarters that can
hold data before it is keyed (equivalent ranges share one snapshot, a range with no data
computes nothing), each user may ask for a bounded number of computations, and one snapshot
is computed once however many ask for it at the same time."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tandem.core.exceptions import TooManyRequests
from tandem.insights import sections
from tandem.insights.models import InsightSnapshot
from tandem.insights.refresh import insights_refresh
from tandem.insights.scope import InsightScope, Quarter, clipped, scope_of
from tandem.insights.sections import section_named
from tests.insights.cast import cast

pytestmark = pytest.mark.django_db

DATA = [Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3)]


@pytest.fixture
def world(fast_password_hashing, settings):
    settings.INSIGHTS_MAX_AGE = 600
    return cast()


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("", "", (None, None)),
        ("2000Q1", "2100Q4", (Quarter(2025, 1), Quarter(2025, 3))),
        ("2001Q3", "", (Quarter(2025, 1), None)),
        ("", "2099Q1", (None, Quarter(2025, 3))),
        ("2025Q2", "2025Q2", (Quarter(2025, 2), Quarter(2025, 2))),
    ],
)
def test_a_range_is_clipped_to_the_quarters_with_data_and_an_open_end_stays_open(
    first, last, expected
):
    scope = clipped(scope_of((1,), first=first, last=last), DATA)
    assert (scope.first, scope.last, scope.empty) == (*expected, False)


@pytest.mark.parametrize(("first", "last"), [("2030Q1", ""), ("", "2024Q4"), ("2000Q1", "2001Q1")])
def test_a_range_outside_the_data_is_empty(first, last):
    assert clipped(scope_of((1,), first=first, last=last), DATA).empty
    assert clipped(scope_of((1,), first=first, last=last), []).empty


def test_equivalent_ranges_share_one_snapshot_and_say_what_they_show(client, world):
    client.force_login(world.people["program admin"])
    url = f"/api/programs/{world.program.slug}/insights/health"
    this = Quarter.containing(timezone.now())
    bodies = [
        client.get(url, {"from": first, "to": "2100Q4"}).json()
        for first in ("2000Q1", "2001Q1", "2024Q4", "2025Q1")
    ]
    assert {(body["first_quarter"], body["last_quarter"]) for body in bodies} == {
        ("2025Q1", str(this))
    }
    assert InsightSnapshot.objects.filter(section="health").count() == 1
    page = client.get(
        f"/programs/{world.program.slug}/insights/health/", {"from": "2025Q1", "to": "2025Q2"}
    )
    assert "Showing Q1 2025 – Q2 2025" in page.content.decode()
    page = client.get(f"/programs/{world.program.slug}/insights/health/")
    assert f"Showing Q1 2025 – Q{this.number} {this.year}" in page.content.decode()


def test_a_range_with_no_data_answers_at_once_and_stores_nothing(client, world):
    client.force_login(world.people["program admin"])
    url = f"/api/programs/{world.program.slug}/insights"
    body = client.get(f"{url}/health", {"from": "2000Q1", "to": "2024Q4"}).json()
    assert body["tables"] == [] and "No figures from 2000Q1 to 2024Q4" in body["message"]
    response = client.get(f"{url}/health/xlsx", {"from": "2099Q1"})
    assert response.status_code == 400 and "No figures" in response.json()["detail"]
    download = f"/programs/{world.program.slug}/insights/health/reasons.csv?from=2099Q1"
    assert client.get(download).status_code == 400
    assert not InsightSnapshot.objects.exists()


def test_fresh_computations_are_limited_per_user_and_snapshots_never(client, world, settings):
    settings.INSIGHTS_FRESH_LIMIT = 2
    client.force_login(world.people["program admin"])
    api = f"/api/programs/{world.program.slug}/insights/health"
    for quarter in ("2025Q1", "2025Q2"):
        assert client.get(api, {"from": quarter, "to": quarter}).status_code == 200
    refused = client.get(api, {"from": "2025Q3", "to": "2025Q3"})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 600
    assert "computed afresh" in refused.json()["detail"]
    assert InsightSnapshot.objects.count() == 2  # nothing computed for the refused range
    # The same ranges again are snapshots: never limited.
    for _ in range(3):
        assert client.get(api, {"from": "2025Q1", "to": "2025Q1"}).status_code == 200
    page = client.get(
        f"/programs/{world.program.slug}/insights/health/", {"from": "2025Q4", "to": "2025Q4"}
    )
    assert page.status_code == 429 and page["Retry-After"]
    assert "Please wait a moment" in page.content.decode()
    assert "Print report" not in page.content.decode()  # nothing to print
    download = client.get(
        f"/programs/{world.program.slug}/insights/health/reasons.csv?from=2025Q4&to=2025Q4"
    )
    assert download.status_code == 429 and download["Retry-After"]
    assert InsightSnapshot.objects.count() == 2
    # Someone else has their own allowance.
    client.force_login(world.people["staff"])
    assert client.get("/api/insights/health", {"from": "2025Q3"}).status_code == 200


def test_past_the_limit_a_stale_snapshot_is_shown_rather_than_nothing(world, settings):
    settings.INSIGHTS_FRESH_LIMIT = 1
    section, scope = section_named("health"), scope_of((world.program.pk,))
    admin = world.people["program admin"].pk
    _, first = section.build_dated(scope, by=admin)
    InsightSnapshot.objects.update(computed_at=first - timedelta(hours=1))
    tables, at = section.build_dated(scope, by=admin)
    assert at == first - timedelta(hours=1) and tables


@pytest.fixture
def locked(world, monkeypatch):
    """Another worker holds the computing lock of the program's health snapshot (as read by
    the program admin, in no pair: one of a pair reads a snapshot and lock of their own)."""
    computed: list[InsightScope] = []
    section = replace(section_named("health"), compute=lambda scope: computed.append(scope) or [])
    scope = scope_of((world.program.pk,))
    monkeypatch.setattr(sections, "COMPUTE_WAIT", 0.3)
    monkeypatch.setattr(sections, "POLL", 0.05)
    with section.computing(scope, section.current_version()) as held:
        assert held
        yield section, scope, computed


def test_a_snapshot_being_computed_is_waited_for_not_computed_twice(locked, monkeypatch, world):
    section, scope, computed = locked
    sleep = sections.time.sleep

    def the_other_worker_finishes(seconds):
        section.refresh(scope)  # what the lock's holder stores
        monkeypatch.setattr(sections.time, "sleep", sleep)

    monkeypatch.setattr(sections.time, "sleep", the_other_worker_finishes)
    tables, at = section.build_dated(scope, by=world.people["program admin"].pk)
    assert at == InsightSnapshot.objects.get().computed_at and len(computed) == 1


def test_a_long_wait_falls_back_to_the_stale_snapshot_or_asks_to_retry(locked, world):
    section, scope, computed = locked
    with pytest.raises(TooManyRequests) as busy:
        section.build_dated(scope, by=world.people["program admin"].pk)
    # Retry once the lock has surely gone: its remaining life, not a guess.
    assert sections.COMPUTE_LOCK - 5 < busy.value.retry_after <= sections.COMPUTE_LOCK
    assert not computed
    section.refresh(scope)
    InsightSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=1))
    computed.clear()
    _, at = section.build_dated(scope, by=world.people["program admin"].pk)
    assert at == InsightSnapshot.objects.get().computed_at and not computed


def test_the_job_skips_a_view_a_request_is_computing(locked):
    section, scope, computed = locked
    insights_refresh(timezone.now())
    mine = InsightSnapshot.objects.filter(programs=str(scope.program_ids[0]), range="")
    assert not mine.filter(section="health").exists() and mine.filter(section="funnel").exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_compute_once(fast_password_hashing, settings, monkeypatch):
    settings.INSIGHTS_MAX_AGE = 600
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    world = cast()
    health, scope, computed = section_named("health"), scope_of((world.program.pk,)), []

    def slow(scope):
        computed.append(scope)
        time.sleep(0.5)
        return health.compute(scope)

    section = replace(health, compute=slow)
    monkeypatch.setattr(sections, "POLL", 0.05)
    results = []

    def request():
        try:
            results.append(section.build_dated(scope, by=world.people["program admin"].pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(computed) == 1 and len(results) == 2 and results[0] == results[1]
