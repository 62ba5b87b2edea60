"""Insight snapshots: a page reads a young enough snapshot instead of computing, recomputes an
old one, the periodic job refreshes the stale default views, the tables read back exactly, two
workers may store the same snapshot at once, and a scope's snapshot is only ever its own."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.insights import refresh
from tandem.insights.models import InsightSnapshot
from tandem.insights.refresh import insights_refresh
from tandem.insights.scope import scope_of
from tandem.insights.sections import SECTIONS, section_named
from tandem.insights.snapshots import (
    programs_key,
    range_key,
    snapshot_store,
    tables_from_json,
    tables_to_json,
)
from tandem.insights.tables import Chart, Column, ColumnKind, InsightTable
from tandem.notify.periodic import registered_jobs
from tandem.programs.models import Program
from tests.insights.cast import cast
from tests.mentorships.factories import mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fast_password_hashing, settings):
    settings.INSIGHTS_MAX_AGE = 600
    return cast()


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


@pytest.mark.parametrize("key", [section.key for section in SECTIONS])
def test_a_second_read_within_the_max_age_is_the_snapshot(world, key):
    section, scope = section_named(key), scope_of((world.program.pk,))
    (first, at), computing = queries(lambda: section.build_dated(scope))
    (second, again), reading = queries(lambda: section.build_dated(scope))
    assert (second, again) == (first, at)
    limit = 12 if section.version else 2  # equity: its data version's aggregates
    assert reading <= limit and computing > reading, (reading, computing)


def test_an_old_snapshot_is_computed_again(world):
    section, scope = section_named("health"), scope_of((world.program.pk,))
    _, first = section.build_dated(scope)
    old = first - timedelta(seconds=601)
    InsightSnapshot.objects.update(computed_at=old)
    _, second = section.build_dated(scope)
    assert second > old
    assert InsightSnapshot.objects.get().computed_at == second


def test_equity_snapshot_is_not_read_once_the_data_changed(world):
    """The audit decides what is withheld for every scope at once, per data version: a snapshot
    made under another version is never mixed with pages made under the current one."""
    section, scope = section_named("equity"), scope_of((world.program.pk,))
    _, first = section.build_dated(scope)
    assert section.build_dated(scope)[1] == first
    EnrolmentFactory(program=world.program, role="mentee")
    _, second = section.build_dated(scope)
    assert second > first
    stored = InsightSnapshot.objects.get(section="equity")
    assert (stored.computed_at, stored.version) == (second, section.current_version())


def test_a_max_age_of_zero_always_computes(world, settings):
    settings.INSIGHTS_MAX_AGE = 0
    section, scope = section_named("funnel"), scope_of((world.program.pk,))
    _, first = section.build_dated(scope)
    _, second = section.build_dated(scope)
    assert second > first


def test_every_section_survives_the_round_trip_through_the_database(world):
    scope = scope_of((world.program.pk,), first="2025Q1", last="2025Q4")
    for section in SECTIONS:
        tables = section.compute(scope)
        assert tables, section.key
        snapshot_store(
            section=section.key, scope=scope, version="", tables=tables, computed_at=timezone.now()
        )
        stored = InsightSnapshot.objects.get(section=section.key, range="2025Q1-2025Q4")
        assert tables_from_json(stored.tables) == tables, section.key


def test_awkward_cells_survive_the_round_trip(world):
    table = InsightTable(
        key="t",
        title="Title",
        summary="Summary",
        columns=[Column("b", "B", ColumnKind.TEXT), Column("a", "A", ColumnKind.RATE)],
        rows=[
            {"b": "x", "a": 0.30000000000000004},
            {"b": None, "a": float("inf")},
            {"b": "=1+1", "a": 3},
            {"b": "", "a": 1.0},
        ],
        chart=Chart("line", "b", ("a",), "Share"),
        notes=["A note.", "Another."],
    )
    nan = InsightTable("n", "N", "", [Column("v", "V")], rows=[{"v": float("nan")}])
    snapshot_store(
        section="funnel",
        scope=scope_of((world.program.pk,)),
        version="",
        tables=[table, nan],
        computed_at=timezone.now(),
    )
    back, back_nan = tables_from_json(InsightSnapshot.objects.get().tables)
    assert back == table
    assert [list(row) for row in back.rows] == [["b", "a"]] * 4  # the column order too
    assert type(back.rows[2]["a"]) is int and type(back.rows[3]["a"]) is float
    assert back_nan.rows[0]["v"] != back_nan.rows[0]["v"]  # NaN
    assert tables_from_json(tables_to_json([])) == []


def test_storing_twice_replaces_and_a_racing_insert_is_retried(world, monkeypatch):
    scope, now = scope_of((world.program.pk,)), timezone.now()
    one = [InsightTable("t", "One", "", [Column("v", "V")], rows=[{"v": 1}])]
    two = [InsightTable("t", "Two", "", [Column("v", "V")], rows=[{"v": 2}])]
    snapshot_store(section="funnel", scope=scope, version="", tables=one, computed_at=now)
    snapshot_store(section="funnel", scope=scope, version="", tables=two, computed_at=now)
    assert tables_from_json(InsightSnapshot.objects.get().tables) == two
    InsightSnapshot.objects.all().delete()

    real = InsightSnapshot.objects.update_or_create
    calls = []

    def raced(**kwargs):
        """The other worker inserts the same snapshot between this one's read and its insert."""
        calls.append(kwargs)
        if len(calls) == 1:
            real(**kwargs)
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(InsightSnapshot.objects, "update_or_create", raced)
    snapshot_store(section="funnel", scope=scope, version="", tables=one, computed_at=now)
    assert len(calls) == 2
    assert tables_from_json(InsightSnapshot.objects.get().tables) == one


def test_a_programs_snapshot_is_never_served_for_another_scope(world, client):
    other = ProgramFactory(name="Other Guild", slug="other-guild")
    mentorship(program=other)
    mine, theirs = scope_of((world.program.pk,)), scope_of((other.pk,))
    marked = [InsightTable("reasons", "MARKED", "", [Column("v", "V")], rows=[{"v": 7}])]
    for scope in (mine, scope_of((world.program.pk,), first="2025Q1")):
        snapshot_store(
            section="health", scope=scope, version="", tables=marked, computed_at=timezone.now()
        )
    section = section_named("health")
    assert section.build(mine) == marked
    for scope in (
        theirs,
        scope_of((world.program.pk, other.pk)),
        scope_of((other.pk,), first="2025Q1"),
    ):
        assert section.build(scope) != marked, scope
    client.force_login(admin_of(other))
    html = client.get(reverse("insights_program_section", args=[other.slug, "health"]))
    assert html.status_code == 200 and b"MARKED" not in html.content
    client.force_login(world.people["admin of another program"])
    url = reverse("insights_program_section", args=[world.program.slug, "health"])
    assert client.get(url).status_code == 404


def test_keys_are_canonical():
    assert programs_key((12,)) == "12"
    assert programs_key((12, 3, 12)) == "3,12"
    assert programs_key(tuple(range(1, 500))).startswith("sha256:")
    assert len(programs_key(tuple(range(1, 500)))) <= 80
    assert range_key(scope_of((1,))) == ""
    assert range_key(scope_of((1,), first="2025Q1", last="2025Q3")) == "2025Q1-2025Q3"
    assert range_key(scope_of((1,), last="2025Q3")) == "-2025Q3"


def test_the_job_refreshes_the_stalest_default_views_a_few_at_a_time(world, monkeypatch):
    monkeypatch.setattr(refresh, "REFRESH_PER_RUN", 6)
    assert registered_jobs()["insights.refresh"] is insights_refresh
    ProgramFactory(name="Second", slug="second")
    scopes = Program.objects.count() + 1  # each program and the site
    total = scopes * len(SECTIONS)
    now = timezone.now()
    done = 0
    while done < total:
        assert insights_refresh(now) == min(refresh.REFRESH_PER_RUN, total - done)
        done += min(refresh.REFRESH_PER_RUN, total - done)
    assert InsightSnapshot.objects.filter(range="").count() == total
    assert insights_refresh(now) == 0  # all fresh
    # Older than half the max age: stale, refreshed oldest first; a range's view is left alone.
    stale = now - timedelta(seconds=301)
    oldest = InsightSnapshot.objects.filter(section="matching", programs=str(world.program.pk))
    oldest.update(computed_at=stale - timedelta(seconds=100))
    InsightSnapshot.objects.filter(section="funnel").update(computed_at=stale)
    later = now + timedelta(seconds=1)
    assert insights_refresh(later) == 1 + scopes
    assert insights_refresh(later) == 0
    assert not InsightSnapshot.objects.filter(computed_at__lt=now).exists()


def test_the_job_does_nothing_when_snapshots_are_off(world, settings):
    settings.INSIGHTS_MAX_AGE = 0
    assert insights_refresh(timezone.now()) == 0
    assert not InsightSnapshot.objects.exists()


def test_the_page_says_how_fresh_its_figures_are(world, client):
    client.force_login(world.people["program admin"])
    url = reverse("insights_program_section", args=[world.program.slug, "health"])
    client.get(url)
    earlier = timezone.now() - timedelta(minutes=7)
    InsightSnapshot.objects.update(computed_at=earlier)
    html = client.get(url).content.decode()
    shown = earlier.astimezone(UTC).strftime("%H:%M")
    assert f"Figures as of {shown} UTC; they refresh every 10 minutes." in html


def test_the_job_starts_no_view_once_its_time_is_spent(world, monkeypatch):
    monkeypatch.setattr(refresh, "REFRESH_BUDGET", 0.0)
    assert insights_refresh(timezone.now()) == 1  # always at least one, so it moves on
    assert InsightSnapshot.objects.count() == 1


def test_the_job_drops_snapshots_nobody_read_for_a_day(world):
    now = timezone.now()
    tables = [InsightTable("t", "T", "", [Column("v", "V")], rows=[{"v": 1}])]
    for first, at in (("2025Q1", now - timedelta(days=2)), ("2025Q2", now)):
        scope = scope_of((world.program.pk,), first=first)
        snapshot_store(section="funnel", scope=scope, version="", tables=tables, computed_at=at)
    insights_refresh(now)
    ranged = InsightSnapshot.objects.exclude(range="").values_list("range", flat=True)
    assert list(ranged) == ["2025Q2-"]


def test_the_job_refreshes_an_equity_snapshot_made_under_another_data_version(world):
    now = timezone.now()
    while insights_refresh(now):
        pass
    EnrolmentFactory(program=world.program, role="mentee")  # a new data version
    assert insights_refresh(now) == Program.objects.count() + 1  # every scope's equity view
    current = section_named("equity").current_version()
    versions = InsightSnapshot.objects.filter(section="equity").values_list("version", flat=True)
    assert set(versions) == {current}
