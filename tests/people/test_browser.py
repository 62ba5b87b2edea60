"""A person signs up, confirms the address and fills in the profile in a real browser."""

from __future__ import annotations

import re

import pytest

from tandem.people.models import Profile, User
from tests.people.factories import PASSWORD, SkillFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_and_edit_profile_with_htmx(page, live_server, mailoutbox):
    SkillFactory(name="Python", slug="python")
    page.goto("/signup/")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/signup/sent/$"))
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/profile/")
    assert page.get_by_text("Please confirm your email address").is_visible()
    # The browser's own time zone was picked up at sign-up.
    assert page.get_by_role("combobox", name="Time zone").input_value() not in ("", None)

    page.get_by_label("Headline").fill("Backend engineer")
    page.get_by_label("Skills you can offer").press_sequentially("Rust, py", delay=30)
    page.locator('#skills_offered-options option[value="Rust, Python"]').wait_for(state="attached")
    page.get_by_label("Skills you can offer").fill("Rust, Python")
    page.get_by_role("combobox", name="Time zone").fill("America/New_York")
    page.locator("select[name=avail_day]").first.select_option("Mon")
    page.locator("input[name=avail_start]").first.fill("09:00")
    page.locator("input[name=avail_end]").first.fill("11:00")
    page.get_by_role("button", name="Add a row").click()
    expect_rows = page.locator(".availability-row")
    expect_rows.nth(1).wait_for()
    assert expect_rows.count() == 2
    page.locator("select[name=avail_day]").nth(1).select_option("Sun")
    page.locator("input[name=avail_start]").nth(1).fill("22:00")
    page.locator("input[name=avail_end]").nth(1).fill("01:00")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()

    profile = Profile.objects.get(user=User.objects.get(email="ada@example.org"))
    assert profile.headline == "Backend engineer"
    assert sorted(s.name for s in profile.skills_offered.all()) == ["Python", "Rust"]
    assert [str(w) for w in profile.windows.all()] == [
        "Mon 00:00-01:00",
        "Mon 09:00-11:00",
        "Sun 22:00-24:00",
    ]
    assert profile.availability_utc
