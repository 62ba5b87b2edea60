"""The dashboard says what to do next, in a browser at desktop and phone widths (issue #10
items 7 and 8): a new mentee goes from the dashboard to the ranked list, asks the best match
and sees the sent request on the dashboard; the mentor opens the request from the
notification, reads the facts (shared hours in both zones, their free places), accepts, and
signs from the dashboard's next step. Every page passes axe-core with no serious or critical
violation and needs no sideways scrolling, and on a phone the next step is the first thing seen.

The clicks each side needs are counted (the report in the pull request quotes them).
Screenshots of each page at both widths go to ``TANDEM_SCREENSHOTS`` when it names a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tandem.mentorships.models import Mentorship, MentorshipRequest
from tandem.people.models import AvailabilityWindow, Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, MatchingMode, Program, Role
from tests.e2e.test_accessibility import FAILING_IMPACTS, SIDEWAYS, WIDTHS, axe_violations

PASSWORD = "next-step-pass-7713"
MESSAGE = "Your talk on design critiques is why I am asking you."


def person(email: str, first: str, tz: str, role: str, program: Program, **profile) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first, last_name="Example"
    )
    Profile.objects.update_or_create(
        user=user, defaults={"timezone": tz, "languages": ["en"], **profile}
    )
    Enrolment.objects.create(
        program=program, person=user, role=role, status=EnrolmentStatus.ACTIVE, capacity=2
    )
    return user


def free_on_monday(user: User, start_hour: int, end_hour: int) -> None:
    AvailabilityWindow.objects.create(
        profile=user.profile, weekday=0, start_minute=start_hour * 60, end_minute=end_hour * 60
    )


class Clicks:
    """The page and the number of clicks a person made on it."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.count += 1


def signed_in(chromium, live_server, email: str) -> Clicks:
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return Clicks(page)


def check_page(page, name: str, problems: list[str]) -> None:
    """axe and sideways scrolling at both widths, and a screenshot of each if asked for."""
    folder = os.environ.get("TANDEM_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for violation in axe_violations(page):
            if violation["impact"] in FAILING_IMPACTS:
                problems.append(f"{name} at {width}px: {violation['id']} {violation['targets']}")
        if overflow := page.evaluate(SIDEWAYS):
            problems.append(f"{name} at {width}px: {overflow}")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{folder}/next-step-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def first_step_seen_on_a_phone(page) -> bool:
    """At 390 px the first next step starts inside the first screen, above the cards."""
    page.set_viewport_size({"width": 390, "height": 800})
    step = page.locator("[data-step]").first.bounding_box()
    cards = page.locator("#profile-heading").bounding_box()
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return step is not None and cards is not None and step["y"] < min(cards["y"], 800)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_next_step_journey(chromium, live_server):
    program = Program.objects.create(
        name="Design Guild", slug="design-guild", matching_mode=MatchingMode.SELF_SERVE
    )
    mentor = person(
        "mira.mentor@example.org",
        "Mira",
        "Europe/Berlin",
        Role.MENTOR,
        program,
        expertise="Design critiques, design reviews and running workshops",
    )
    person("olaf.mentor@example.org", "Olaf", "Europe/Berlin", Role.MENTOR, program)
    mentee = person(
        "theo.mentee@example.org",
        "Theo",
        "America/New_York",
        Role.MENTEE,
        program,
        goals="I want to lead design critiques and design reviews on my own.",
    )
    free_on_monday(mentor, 15, 18)
    free_on_monday(mentee, 9, 11)
    problems: list[str] = []

    # The mentee: dashboard → find a mentor → ask the best match → the request is on the
    # dashboard.
    theo = signed_in(chromium, live_server, mentee.email)
    theo.page.goto("/")
    check_page(theo.page, "mentee-dashboard", problems)
    assert first_step_seen_on_a_phone(theo.page)
    theo.click("text=See your best matches")
    theo.page.wait_for_selector("h1:has-text('Find a mentor')")
    assert theo.page.locator(".mentor-card h2").first.inner_text() == "Mira Example"
    check_page(theo.page, "ranked-list", problems)
    theo.click(".mentor-card >> nth=0 >> text=Ask to mentor you")
    theo.page.wait_for_selector("h1:has-text('Ask Mira Example to mentor you')")
    assert theo.page.locator("select").count() == 0
    check_page(theo.page, "request-form", problems)
    theo.page.fill("textarea[name=message]", MESSAGE)
    theo.click("button:has-text('Send request')")
    theo.page.wait_for_selector("text=Request sent")
    mentee_clicks = theo.count
    theo.page.goto("/")
    sent = theo.page.locator("[data-step=sent_request]")
    assert "Your request to Mira Example" in sent.inner_text()
    assert "Waiting for an answer" in sent.inner_text()
    check_page(theo.page, "mentee-dashboard-sent", problems)

    # The mentor: notification → the request with the facts → accept → sign.
    mira = signed_in(chromium, live_server, mentor.email)
    mira.page.goto("/")
    ask = mira.page.locator("[data-step=answer_request]")
    assert "Theo Example asks you to mentor them" in ask.inner_text()
    check_page(mira.page, "mentor-dashboard", problems)
    mira.page.goto("/notifications/")
    mira.click("main button:has-text('Open') >> nth=0")
    mira.page.wait_for_selector("h1:has-text('Request from Theo Example')")
    assert "You have 2 of 2 places free" in mira.page.locator("#capacity").inner_text()
    hours = mira.page.locator("#shared-hours").text_content()
    assert "Europe/Berlin" in hours and "America/New_York" in hours
    assert hours.count("Mon ") == 2  # one shared slot, in each zone (exact hours: unit tests)
    assert MESSAGE in mira.page.locator("main").inner_text()
    check_page(mira.page, "request-detail", problems)
    mira.click("button:has-text('Accept')")
    mira.page.wait_for_url(lambda url: "/mentorships/" in url and "/requests/" not in url)
    if not mira.page.locator("button:has-text('Sign version 1')").count():
        mira.click("text=Read and sign version 1")  # the mentorship page links the version
    mira.click("button:has-text('Sign version 1')")
    mira.page.wait_for_selector("text=takes effect when your partner signs")
    mentor_clicks = mira.count

    # The mentee's dashboard now asks for their signature, and one click opens it.
    theo.page.goto("/")
    theo.click("[data-step=signature] >> text=Read and sign version 1")
    theo.page.wait_for_selector("button:has-text('Sign version 1')")

    mentorship = Mentorship.objects.get()
    assert MentorshipRequest.objects.get().state == "accepted"
    assert mentorship.agreement_versions.get().signed_by_mentor_at is not None
    assert problems == []
    # Sign-up and joining aside, the mentee needs three clicks from the dashboard to a sent
    # request (find a mentor, ask, send); the mentor at most four from the notification to
    # their signature (open, accept, [the version,] sign).
    assert mentee_clicks == 3 and mentor_clicks <= 4
    print(f"clicks: mentee {mentee_clicks}, mentor {mentor_clicks}")
