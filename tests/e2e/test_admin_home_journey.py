"""A program admin, in Chromium: logs in and lands on the admin home, reads the join answers
of the people awaiting approval, approves one there and sees the counts change, declines the
other after the page that asks first; the home passes axe and fits a phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.matchruns.models import MatchRun, RunStatus
from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tests.e2e.test_accessibility import (
    FAILING_IMPACTS,
    SIDEWAYS,
    WIDTHS,
    axe_violations,
    focus_hidden_by_bars,
)
from tests.programs.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def page(chromium, live_server):
    """As the suite's ``page``, with the Content-Security-Policy bypassed so the axe check can
    inject its script (as ``test_accessibility`` does)."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_an_admin_approves_from_the_home_and_sees_the_counts_change(page):
    admin = UserFactory(email="pat@example.org", first_name="Pat", email_verified_at=timezone.now())
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    program = ProgramFactory(name="Data Guild", slug="data-guild")
    EnrolmentFactory(program=program, person=admin, role=Role.ADMIN)
    ana, bo = (
        EnrolmentFactory(
            program=program,
            person=UserFactory(first_name=first, last_name="Lee"),
            status=EnrolmentStatus.PENDING,
            answers={"Why do you want to join?": answer},
        )
        for first, answer in (("Ana", "To speak at conferences"), ("Bo", "To lead a team"))
    )
    MatchRun.objects.create(program=program, status=RunStatus.FAILED)
    Enrolment.objects.filter(pk__in=[ana.pk, bo.pk]).update(
        created_at=timezone.now() - timedelta(days=2)
    )

    page.goto("/login/")
    page.get_by_label("Email").fill("pat@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("heading", name="Your programs", level=1).wait_for()
    home = page.locator(f"#program-{program.pk}")
    home.get_by_role("heading", name="2 awaiting approval").wait_for()
    home.get_by_text("To speak at conferences").wait_for()
    assert home.get_by_label("0 mentees active").count() == 0
    assert_accessible(page)

    home.get_by_role("button", name="Approve Ana Lee (mentee)").click()
    page.get_by_text("Approved Ana Lee as mentee in Data Guild.").wait_for()
    home.get_by_role("heading", name="1 awaiting approval").wait_for()
    home.get_by_role("link", name="1 mentee active").wait_for()
    assert Enrolment.objects.get(pk=ana.pk).status == EnrolmentStatus.ACTIVE

    home.get_by_role("link", name="Decline Bo Lee (mentee)…").click()
    page.get_by_role("heading", name=re.compile("Bo Lee")).wait_for()
    assert Enrolment.objects.get(pk=bo.pk).status == EnrolmentStatus.PENDING
    page.locator("main form button[type=submit]").first.click()
    # Declining from the home comes back to the home, at the program's section.
    page.wait_for_url(re.compile(rf"/#program-{program.pk}$"))
    assert Enrolment.objects.get(pk=bo.pk).status == EnrolmentStatus.REMOVED

    home.get_by_role("link", name=re.compile("Match run #")).wait_for()
    assert home.get_by_role("heading", name=re.compile("awaiting approval")).count() == 0
    home.get_by_role("link", name="Mentorships", exact=True).click()
    page.wait_for_url(re.compile(rf"/mentorships/program/{program.pk}/$"))


def assert_accessible(page) -> None:
    """axe at desktop and phone width, no sideways scrolling, no focus under a sticky bar."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        found += [
            f"@{width}px {v['id']} ({v['impact']}): {v['targets'][:3]}"
            for v in axe_violations(page)
            if v["impact"] in FAILING_IMPACTS
        ]
        overflow = page.evaluate(SIDEWAYS)
        if overflow:
            found.append(f"@{width}px reflow: {overflow}")
        found += [f"@{width}px focus hidden: {hidden}" for hidden in focus_hidden_by_bars(page)]
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    assert not found, "\n".join(found)
