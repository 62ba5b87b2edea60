"""Browser journey: an admin runs, reviews, pins, re-runs and publishes a cohort match; then
a mentee of a self-serve program browses ranked mentors with reasons."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.matchruns.models import MatchRun, RunStatus
from tandem.mentorships.models import Mentorship
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import PASSWORD, ProgramFactory, admin, mentee, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_admin_runs_pins_reruns_publishes_then_mentee_browses(page):
    from playwright.sync_api import expect

    program = ProgramFactory(name="Spring cohort")
    boss = admin(program)
    cem = mentee(
        program,
        first_name="Cem",
        goals="become a better engineering manager",
        wanted=["Leadership"],
        seniority=3,
    )
    mentee(program, first_name="Ada", goals="learn SQL query tuning", wanted=["SQL"], seniority=2)
    mentee(
        program,
        first_name="Bea",
        goals="improve UX design and user research",
        wanted=["UX design"],
        seniority=2,
    )
    dana = mentor(
        program,
        first_name="Dana",
        capacity=1,
        offered=["SQL"],
        seniority=6,
        expertise="SQL performance and query tuning",
    )
    mentor(
        program,
        first_name="Eli",
        capacity=2,
        offered=["UX design", "Leadership"],
        seniority=7,
        expertise="UX design, user research and engineering management",
    )

    log_in(page, boss)
    page.goto(reverse("match_run_list", args=[program.slug]))
    page.get_by_label("Objective").select_option("fair")
    page.get_by_text("Advanced").click()  # the seed is optional, folded away
    page.get_by_label("Repeat number").fill("7")
    page.get_by_role("button", name="Start match run").click()
    expect(page.locator("[data-status]")).to_have_text("Ready for review")
    pairs = page.get_by_role("table", name="Proposed pairs, best fit first")
    expect(pairs.get_by_role("row")).to_have_count(4)
    expect(pairs).to_contain_text("Offers SQL")
    first = MatchRun.objects.get()
    assert first.pairs.get(mentee=cem).mentor != dana

    # Pin Cem with Dana through the pin/forbid form, then re-run with the pin.
    page.get_by_label("Mentee").select_option(label=cem.display_name)
    page.get_by_label("Mentor").select_option(label=dana.display_name)
    page.get_by_label("Pinned").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".messages")).to_contain_text("Re-run to apply it")
    page.get_by_role("button", name="Re-run").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(f"Match run #{first.pk}")
    expect(page.locator("[data-status]")).to_have_text("Ready for review")
    row = page.get_by_role("row").filter(has_text=cem.display_name).first
    expect(row).to_contain_text(dana.display_name)
    expect(row).to_contain_text("pinned")

    # Compare with the first run, then publish.
    page.get_by_role("button", name="Compare side by side").click()
    expect(
        page.get_by_role("table", name="Mentees whose mentor differs between the runs")
    ).to_contain_text(cem.display_name)
    page.go_back()
    page.get_by_role("button", name=re.compile(r"Publish \d+ pairs")).click()
    expect(page.locator("[data-status]")).to_have_text("Published")
    second = MatchRun.objects.exclude(pk=first.pk).get()
    assert second.status == RunStatus.PUBLISHED
    assert Mentorship.objects.filter(program=program).count() == 3
    page.get_by_role("button", name="Log out").click()

    # A mentee of a self-serve program sees ranked mentors with reasons.
    market = ProgramFactory(name="Open mentoring", matching_mode=MatchingMode.SELF_SERVE)
    learner = mentee(
        market,
        first_name="Ivy",
        goals="get better at SQL query tuning",
        wanted=["SQL"],
        seniority=2,
    )
    mentor(
        market,
        first_name="Sam",
        capacity=2,
        offered=["SQL"],
        seniority=6,
        expertise="SQL query tuning and databases",
    )
    mentor(
        market,
        first_name="Kim",
        capacity=1,
        offered=["Public speaking"],
        seniority=5,
        expertise="presentations",
    )
    log_in(page, learner)
    page.goto(reverse("program_mentors", args=[market.slug]))
    cards = page.locator(".mentor-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Sam")
    expect(cards.first).to_contain_text("Offers SQL")
    page.get_by_label("Skill").select_option("Public speaking")
    page.get_by_role("button", name="Filter").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Kim")
