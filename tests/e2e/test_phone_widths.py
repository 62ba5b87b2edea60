"""Issue 10 items 12 and 13 in Chromium: the profile's multi-select and manager picker with and
without script, the navigation behind a menu button on a phone, and no page that scrolls
sideways at 320 px. What they check happens in the browser, the same on every database, so
the PostgreSQL pass of ``make test`` skips them."""

from __future__ import annotations

import re

import pytest

from tandem.people.models import Profile
from tandem.programs.models import Role
from tests.e2e.test_accessibility import FAILING_IMPACTS, SIDEWAYS, axe_violations
from tests.people.factories import PASSWORD, ProfileFactory, UserFactory
from tests.programs.factories import ProgramFactory, enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.any_database,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 800}
NARROWEST = {"width": 320, "height": 700}


@pytest.fixture
def people():
    program = ProgramFactory(name="Finance mentoring with a deliberately long name to wrap")
    me = ProfileFactory(
        user=UserFactory(first_name="Mia", last_name="Mentee"), department="Finance"
    ).user
    boss = ProfileFactory(
        user=UserFactory(first_name="Bea", last_name="Boss"), department="Finance"
    ).user
    admin = ProfileFactory(user=UserFactory(first_name="Ada", last_name="Admin")).user
    enrol(me, program)
    enrol(boss, program, role=Role.MENTOR)
    enrol(admin, program, role=Role.ADMIN)
    return {"program": program, "me": me, "boss": boss, "admin": admin}


def open_as(chromium, live_server, user, *, viewport=None, script=True, bypass_csp=False):
    """A signed-in page; ``bypass_csp`` only where axe is injected (the policy refuses it)."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=viewport or {"width": 1280, "height": 900},
        java_script_enabled=script,
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_languages_filter_chips_and_count(chromium, live_server, people):
    page = open_as(chromium, live_server, people["me"])
    page.goto("/profile/")
    languages = page.get_by_role("group", name="Languages")
    languages.get_by_label("Find a language").fill("portu")
    assert languages.get_by_role("checkbox", name="English").is_hidden()
    languages.get_by_label("Find a language").press("Enter")  # ticks the first match
    assert languages.get_by_role("checkbox", name="Portuguese").is_checked()
    remove = languages.get_by_role("button", name="Remove Portuguese")
    assert remove.is_visible()
    assert languages.locator("[aria-live]").inner_text() == "1 language chosen"
    languages.get_by_label("Find a language").fill("")
    languages.get_by_role("checkbox", name="English").check()
    assert languages.locator("[aria-live]").inner_text() == "2 languages chosen"
    remove.click()
    assert not languages.get_by_role("checkbox", name="Portuguese").is_checked()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    assert Profile.objects.get(user=people["me"]).languages == ["en"]
    page.context.close()


def test_languages_and_manager_without_script(chromium, live_server, people):
    page = open_as(chromium, live_server, people["me"], viewport=PHONE, script=False)
    page.goto("/profile/")
    assert page.get_by_label("Find a language").is_hidden()  # the filter needs script
    page.get_by_role("checkbox", name="German").check()
    page.get_by_label("Their name").fill("Nora Nobody")
    page.get_by_label("Their email").fill("nora@example.org")
    # No menu button without script: the navigation simply shows.
    assert page.get_by_role("button", name="Menu").is_hidden()
    assert (
        page.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Programs")
        .is_visible()
    )
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    profile = Profile.objects.get(user=people["me"])
    assert (profile.languages, profile.manager_name, profile.manager_email) == (
        ["de"],
        "Nora Nobody",
        "nora@example.org",
    )
    page.context.close()


def test_manager_picked_from_the_search(chromium, live_server, people):
    page = open_as(chromium, live_server, people["me"])
    page.goto("/profile/")
    page.get_by_label("Their email").fill("typed@example.org")
    page.get_by_label("Find them among the people in your programs").fill("bea b")
    page.get_by_role("button", name=re.compile("Bea Boss")).click()
    chosen = page.get_by_role("checkbox", name="Bea Boss (Finance)")
    assert chosen.is_checked() and chosen.evaluate("el => el === document.activeElement")
    assert page.get_by_label("Their email").input_value() == ""  # one way at a time
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    assert Profile.objects.get(user=people["me"]).manager == people["boss"]
    page.context.close()


def test_navigation_collapses_behind_a_menu_button(chromium, live_server, people):
    page = open_as(chromium, live_server, people["me"], viewport=PHONE)
    menu = page.get_by_role("button", name="Menu")
    programs = page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs")
    assert menu.get_attribute("aria-expanded") == "false" and programs.is_hidden()
    assert menu.get_attribute("aria-controls") == "site-nav"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and programs.is_visible()
    programs.focus()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and programs.is_hidden()
    assert menu.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")  # the focused button opens it again from the keyboard
    assert programs.is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert menu.is_hidden() and programs.is_visible()
    page.context.close()


def test_no_sideways_scroll_at_320px_and_the_profile_passes_axe(chromium, live_server, people):
    program = people["program"]
    pages = {
        "me": [
            "/",
            "/profile/",
            "/profile/identity/",
            "/account/",
            "/programs/",
            f"/programs/{program.slug}/",
            "/mentorships/",
            "/mentorships/requests/",
            "/notifications/",
            "/notifications/settings/",
            f"/people/{people['boss'].pk}/",
        ],
        "admin": [
            "/",
            f"/programs/{program.slug}/",
            f"/programs/{program.slug}/participants/",
            f"/programs/{program.slug}/invitations/",
            f"/programs/{program.slug}/import/",
        ],
    }
    found = []
    for who, urls in pages.items():
        page = open_as(chromium, live_server, people[who], viewport=NARROWEST)
        for url in urls:
            response = page.goto(url)
            assert response and response.status < 400, url
            overflow = page.evaluate(SIDEWAYS)
            if overflow:
                found.append(f"{who} {url} @320px: {overflow}")
        page.context.close()
    assert not found, "\n".join(found)

    page = open_as(chromium, live_server, people["me"], bypass_csp=True)
    page.goto("/profile/")
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
        assert serious == [], f"@{width}px: {serious}"
    page.context.close()


# The share of the window the profile's stuck Save bar may take: a phone keeps it in view, a
# short window (200% zoom of a laptop screen, 640 x 400 CSS px) lets it sit at the form's end.
SAVE_BAR = """() => {
    const bar = document.querySelector(".sticky-actions");
    const stuck = getComputedStyle(bar).position === "sticky";
    return stuck ? bar.getBoundingClientRect().height / window.innerHeight : 0;
}"""


@pytest.mark.parametrize(
    ("viewport", "at_most"),
    [({"width": 390, "height": 844}, 0.12), ({"width": 640, "height": 400}, 0)],
)
def test_the_profiles_save_bar_leaves_the_form_in_view(
    chromium, live_server, people, viewport, at_most
):
    """UX review: the bar held Save and a two-line link, 125 px: a sixth of a phone and a third
    of the window at 200% zoom, over the fields being filled in."""
    page = open_as(chromium, live_server, people["me"], viewport=viewport)
    page.goto("/profile/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    assert page.evaluate(SAVE_BAR) <= at_most
    page.context.close()
