"""Browser journey: match review never dead-ends. An admin's pin of a mentee with her own
manager is refused in names on the form; a valid pin says what it will change; a re-run that
fails on a pin offers to remove it and re-run; a run made before another was published says it
is out of date and points to a new run instead of a Publish button."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.matchruns.models import MatchRun, RunStatus
from tandem.people.models import Profile
from tests.e2e.test_accessibility import FAILING_IMPACTS, axe_violations
from tests.e2e.test_matching_journey import log_in
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def page(chromium, live_server):
    """A page whose Content-Security-Policy lets the injected axe-core script run."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    found = axe_violations(page)
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in FAILING_IMPACTS]


def test_refused_pin_preview_failed_run_fix_and_out_of_date(page):
    from playwright.sync_api import expect

    program = ProgramFactory(name="Autumn cohort")
    boss = admin(program)
    ben = named(mentor(program, capacity=2, offered=["SQL"], expertise="SQL tuning"), "Ben", "Ode")
    carla = named(mentor(program, capacity=1, expertise="UX research"), "Carla", "Diaz")
    ana = named(mentee(program, goals="learn SQL", wanted=["SQL"]), "Ana", "Ruiz")
    Profile.objects.filter(user=ana).update(manager_email=ben.email)
    dev = named(mentee(program, goals="UX research"), "Dev", "Ng")
    named(mentee(program, goals="UX research", department="Sales"), "Eve", "Lam")
    named(mentee(program, goals="SQL", department="Legal"), "Eve", "Lam")

    log_in(page, boss)
    page.goto(reverse("match_run_list", args=[program.slug]))
    page.get_by_role("button", name="Start match run").click()
    expect(page.locator("[data-status]")).to_have_text("Ready for review")
    first = MatchRun.objects.get()
    # Two mentees called Eve Lam are told apart by department and email.
    expect(page.get_by_label("Mentee").locator("option", has_text="Eve Lam (Sales")).to_have_count(
        1
    )

    # Pinning Ana to her own manager is refused on the form, in names.
    page.get_by_label("Mentee").select_option(label=ana.display_name)
    page.get_by_label("Mentor").select_option(label=ben.display_name)
    page.get_by_label("Pinned").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Ana Ruiz cannot be pinned to Ben Ode: Ben Ode is Ana Ruiz's manager."
    )
    assert not first.constraints.exists()

    # A valid pin says what re-running will change.
    page.get_by_label("Mentee").select_option(label=dev.display_name)
    page.get_by_label("Mentor").select_option(label=carla.display_name)
    page.get_by_label("Pinned").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_test_id("effect")).to_contain_text(
        "When you re-run: Pins Dev Ng → Carla Diaz (today Dev Ng is with Ben Ode; Carla Diaz"
    )

    # Carla now speaks only French: the re-run fails on the pin and says so, in names.
    Profile.objects.filter(user=carla).update(languages=["fr"])
    page.get_by_role("button", name="Re-run", exact=True).click()
    expect(page.locator("[data-status]")).to_have_text("Failed")
    fix = page.get_by_test_id("fix-failed")
    expect(fix).to_contain_text("Dev Ng cannot be pinned to Carla Diaz: they share no language")
    assert serious_violations(page) == []
    fix.get_by_role("button", name=re.compile("^Remove this pin and re-run")).click()
    expect(page.locator("[data-status]")).to_have_text("Ready for review")
    expect(page.locator(".messages")).to_contain_text("started without it")
    fixed = MatchRun.objects.latest("pk")
    assert fixed.status == RunStatus.DONE and not fixed.constraints.exists()

    # Publishing it makes the first run out of date: no Publish button, a way forward instead.
    page.get_by_role("button", name=re.compile(r"Publish \d+ pairs?")).click()
    expect(page.locator("[data-status]")).to_have_text("Published")
    page.goto(reverse("match_run_detail", args=[program.slug, first.pk]))
    expect(page.get_by_test_id("out-of-date")).to_contain_text(f"Run #{fixed.pk}")
    expect(page.get_by_role("button", name=re.compile(r"^Publish"))).to_have_count(0)
    assert serious_violations(page) == []
    page.get_by_role("link", name="Start a new run").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match runs")
    expect(page.get_by_role("table")).to_contain_text("Out of date")
