"""The mentorship page follows the relationship, in a browser at desktop and phone widths:
before signing the pre-filled agreement comes first with "Sign"; once active the next meeting
(in both people's zones) comes first and the agreement folds away; after the mentor ends it
early the mentee is offered the ranked list (how it went is the closing survey's to ask, once),
and the mentor never sees the mentee's page. Each state passes axe-core with no serious or
critical violation, and on a phone the primary action comes before the secondary ones.

Screenshots of each state at both widths go to ``TANDEM_SCREENSHOTS`` when it names a folder.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tandem.mentorships.models import Mentorship
from tandem.mentorships.services import meeting_schedule, request_accept, request_create
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, MatchingMode, Program, Role
from tests.e2e.test_accessibility import FAILING_IMPACTS, SIDEWAYS, WIDTHS, axe_violations

PASSWORD = "relationship-pass-5821"
GOALS = "I want to lead a design review on my own. Later I hope to mentor others too."
REQUEST = "Your talk on design critiques is why I am asking you."


def person(email: str, first: str, tz: str, role: str, program: Program) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first, last_name="Example"
    )
    Profile.objects.update_or_create(user=user, defaults={"timezone": tz, "goals": GOALS})
    Enrolment.objects.create(
        program=program, person=user, role=role, status=EnrolmentStatus.ACTIVE, capacity=2
    )
    return user


def browser_for(chromium, live_server, email: str):
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
    return context, page


def heading_order(page) -> list[str]:
    return page.eval_on_selector_all("main .m-main h2", "hs => hs.map(h => h.id)")


def check_state(page, name: str, problems: list[str]) -> None:
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
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def above(page, first: str, second: str) -> bool:
    """Whether ``first`` starts higher on the page than ``second`` (at the current width)."""
    return (
        page.locator(first).first.bounding_box()["y"]
        < page.locator(second).first.bounding_box()["y"]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_relationship_page_journey(chromium, live_server):
    program = Program.objects.create(
        name="Design Guild", slug="design-guild", matching_mode=MatchingMode.SELF_SERVE
    )
    mentor = person("mira.mentor@example.org", "Mira", "Europe/London", Role.MENTOR, program)
    mentee = person("theo.mentee@example.org", "Theo", "America/New_York", Role.MENTEE, program)
    admin = person("ada.admin@example.org", "Ada", "Europe/London", Role.ADMIN, program)
    request = request_create(
        sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message=REQUEST
    )
    mentorship = request_accept(user=mentor, request_id=request.pk)
    url = f"/mentorships/{mentorship.pk}/"
    problems: list[str] = []

    # Before signing: the agreement comes first, pre-filled, with "Sign" as the action.
    mentee_context, page = browser_for(chromium, live_server, mentee.email)
    page.goto(url)
    assert heading_order(page)[0] == "agreement-h"
    agreement = page.locator("#agreement")
    assert "lead a design review on my own" in agreement.inner_text()
    # The request's greeting is not an outcome: it is not pasted in (live review F30).
    assert REQUEST not in agreement.inner_text()
    assert "Still to sign: Mira Example and you." in agreement.inner_text()
    check_state(page, "1-proposed", problems)
    page.set_viewport_size({"width": 390, "height": 800})
    assert above(page, "button:has-text('Sign version 1')", "text=End early…")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.click("button:has-text('Sign version 1')")
    page.wait_for_selector("text=takes effect when your partner signs")

    mentor_context, mentor_page = browser_for(chromium, live_server, mentor.email)
    mentor_page.goto(url)
    mentor_page.click("button:has-text('Sign version 1')")
    mentor_page.wait_for_selector("text=is now in effect")

    # Active: the next meeting in both zones, then action items and goals; agreement folded.
    starts = (timezone.now() + timedelta(days=6)).replace(minute=0, second=0, microsecond=0)
    meeting_schedule(
        user=mentor,
        mentorship_id=mentorship.pk,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        format="video",
    )
    page.goto(url)
    assert heading_order(page)[:3] == ["next-h", "actions-h", "goals-h"]
    next_meeting = page.locator("#next-meeting").inner_text()
    assert "(your time)" in next_meeting and "For Mira Example:" in next_meeting
    assert "Europe/London" in next_meeting
    summary = page.locator("#agreement summary").inner_text()
    assert summary.startswith("Agreement signed ") and summary.endswith(" by both")
    assert not page.locator("#agreement details").get_attribute("open")
    check_state(page, "2-active", problems)

    # The mentor ends it early; the mentee is offered a new mentor.
    mentor_page.goto(url)
    mentor_page.click("text=End early…")
    mentor_page.select_option("select[name=category]", "change")
    mentor_page.fill("textarea[name=reason]", "I am moving teams.")
    mentor_page.click("button:has-text('End the mentorship')")
    mentor_page.wait_for_selector("text=The mentorship has ended")

    page.goto("/")
    page.goto(url)
    assert heading_order(page)[:2] == ["ending-h", "feedback-h"]
    check_state(page, "3-ended-mentee", problems)
    ending = page.locator("#early-end-feedback").inner_text()
    assert "How it went is asked once, in a closing survey" in ending
    page.goto(f"/mentorships/{mentorship.pk}/how-did-it-go/")
    page.wait_for_selector("h1:has-text('A new mentor')")
    assert page.locator("a:has-text('Find a new mentor')").get_attribute("href") == (
        f"/programs/{program.slug}/mentors/"
    )
    assert page.locator("textarea").count() == 0  # nothing asked twice
    check_state(page, "4-a-new-mentor", problems)

    # The admin sees how it ended; the mentor never sees the mentee's page.
    admin_context, admin_page = browser_for(chromium, live_server, admin.email)
    admin_page.goto(url)
    assert "Not asked" in admin_page.locator("#early-end-feedback").inner_text()
    check_state(admin_page, "5-ended-admin", problems)
    mentor_page.goto(url)
    assert mentor_page.locator("#early-end-feedback").count() == 0
    response = mentor_page.goto(f"/mentorships/{mentorship.pk}/how-did-it-go/")
    assert response is not None and response.status == 404
    for context in (mentee_context, mentor_context, admin_context):
        context.close()
    assert Mentorship.objects.get(pk=mentorship.pk).state == "ended_early"
    assert problems == []
