"""No figure per opt-in group on a match run (privacy review: run 45 showed "parent 100%,
size 10" beside the named unmatched, and forbids, re-runs and pauses turned any such figure
into an oracle for who is in the group)."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from tandem.matchruns import services
from tandem.matchruns.models import MatchRun
from tests.matchruns.factories import (
    ProgramFactory,
    UserFactory,
    admin,
    mentee,
    mentor,
    run_pages,
)

pytestmark = pytest.mark.django_db
BIG, SMALL = "Quokka parent", "Veteran"
migration = importlib.import_module("tandem.matchruns.migrations.0006_forget_group_figures")


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data).union(*(_keys(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_keys(v) for v in data))
    return set()


def assert_no_group_figure(text: str) -> None:
    assert BIG.lower() not in text.lower() and SMALL.lower() not in text.lower()
    assert "by opt-in group</h3>" not in text  # the old table's heading


def assert_no_group_json(response) -> None:
    assert response.status_code in (200, 201, 202), response.content
    assert_no_group_figure(response.content.decode())
    assert not _keys(response.json()) & {"groups", "rate", "size"}


@pytest.fixture
def runs(run_tasks):
    """A cohort with a group of 12 (one of them left unmatched) and one of 7, and two runs."""
    program = ProgramFactory()
    boss = admin(program)
    for k in range(12):
        mentee(program, first_name=f"P{k}", goals="learn SQL", identity=[BIG])
    for k in range(7):
        mentee(program, first_name=f"V{k}", goals="learn SQL", identity=[SMALL])
    mentor(program, capacity=18, expertise="SQL")
    with run_tasks():
        first = services.match_run_start(user=boss, program=program)
    with run_tasks():
        second = services.match_run_start(user=boss, program=program, objective="fair")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.pairs.count()) == ("done", 18)
    return program, boss, first, second


def test_run_pages_show_no_group_figure_and_say_where_they_are(client, runs):
    program, boss, first, second = runs
    client.force_login(boss)
    slug = program.slug
    for url in run_pages(slug, first, second):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_group_figure(response.content.decode())
    page = client.get(reverse("match_run_detail", args=[slug, first.pk])).content.decode()
    assert "Equity of access" in page
    assert reverse("insights_program_section", args=[slug, "equity"]) in page
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    admin_page = client.get(reverse("admin:matchruns_matchrun_change", args=[first.pk]))
    assert admin_page.status_code == 200
    assert_no_group_figure(admin_page.content.decode())


def test_every_run_endpoint_answers_no_group_figure(client, runs, run_tasks):
    program, boss, first, second = runs
    client.force_login(boss)
    root = f"/api/match-runs/{program.slug}/runs"
    for url in (
        root,
        f"{root}/{first.pk}",
        f"{root}/{first.pk}/pairs",
        f"{root}/{first.pk}/unmatched",
        f"{root}/{first.pk}/constraints",
        f"{root}/{first.pk}/compare/{second.pk}",
    ):
        assert_no_group_json(client.get(url))

    def post(url: str, body: dict | None = None):
        with run_tasks():
            return client.post(url, data=json.dumps(body or {}), content_type="application/json")

    assert_no_group_json(post(root, {"objective": "optimal", "seed": 3}))
    assert_no_group_json(post(f"{root}/{first.pk}/rerun"))
    rerun = MatchRun.objects.filter(parent=first).get()
    assert_no_group_json(client.get(f"{root}/{rerun.pk}"))
    assert_no_group_json(post(f"{root}/{first.pk}/publish"))
    assert_no_group_json(post(f"{root}/{second.pk}/discard"))


def test_stored_report_keeps_no_group_row(runs):
    for run in runs[2:]:
        assert "groups" not in run.report
        assert_no_group_figure(json.dumps(run.report))
        assert run.report["matched"] == 18  # the whole cohort's figures are kept


def test_migration_strips_group_rows_from_old_reports():
    program = ProgramFactory()
    old = MatchRun.objects.create(
        program=program,
        report={"matched": 18, "groups": [{"label": "quokka parent", "size": 10, "rate": 1.0}]},
    )
    empty = MatchRun.objects.create(program=program, report={"matched": 2, "groups": []})
    untouched = MatchRun.objects.create(program=program, report={"matched": 4})
    migration.forwards(django_apps, None)
    for run in (old, empty, untouched):
        run.refresh_from_db()
    assert (old.report, empty.report, untouched.report) == (
        {"matched": 18},
        {"matched": 2},
        {"matched": 4},
    )
