"""Issue 10, item 4 in Chromium: an admin limits the mentees, someone joining the full program
is told their number on the waitlist, and the admin frees a place that goes to them; the
pages pass axe at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tests.e2e.test_accessibility import FAILING_IMPACTS, SIDEWAYS, axe_violations
from tests.e2e.test_phone_widths import PHONE, open_as
from tests.people.factories import ProfileFactory, UserFactory
from tests.programs.factories import EnrolmentFactory, InvitationFactory, ProgramFactory, enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious(page) -> list[dict]:
    return [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]


def test_a_full_program_waitlists_and_a_freed_place_admits(chromium, live_server):
    program = ProgramFactory(name="Spring mentoring")
    admin = ProfileFactory(user=UserFactory(first_name="Ada", last_name="Admin")).user
    enrol(admin, program, role=Role.ADMIN)
    holder = EnrolmentFactory(program=program, status=EnrolmentStatus.ACTIVE)
    invitation = InvitationFactory(program=program, role=Role.MENTEE)

    page = open_as(chromium, live_server, admin, bypass_csp=True)
    page.goto(f"/programs/{program.slug}/edit/")
    page.get_by_label("Most mentees").fill("1")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved the program settings.").wait_for()
    # The page's own requests done first: SQLite's shared test database locks a table while
    # the live server writes, and this thread's insert would fail on it.
    page.wait_for_load_state("networkidle")

    joiner = ProfileFactory(user=UserFactory(first_name="Ben", last_name="Okafor")).user
    phone = open_as(chromium, live_server, joiner, viewport=PHONE, bypass_csp=True)
    phone.goto(f"/programs/join/{invitation.token}/")
    phone.get_by_text("All places for mentees are taken for now.").wait_for()
    phone.get_by_role("button", name="Join as mentee").click()
    phone.get_by_text("You are number 1 on the waitlist of Spring mentoring as mentee.").wait_for()
    assert _serious(phone) == [] and phone.evaluate(SIDEWAYS) == ""
    phone.goto("/")
    phone.get_by_text("Number 1 on the waitlist").wait_for()

    page.goto(f"/programs/{program.slug}/participants/")
    page.get_by_role("link", name="Show the waitlist").click()
    page.get_by_text("Number 1 on the waitlist").wait_for()
    assert _serious(page) == []
    page.goto(f"/programs/{program.slug}/participants/?status=active&role=mentee")
    name = holder.person.display_name
    page.get_by_role("button", name=re.compile(f"Pause {name}")).click()
    page.locator(f"#enrolment-{holder.pk} .badge", has_text="Paused").wait_for()
    mine = Enrolment.objects.get(person=joiner, program=program)
    assert mine.status == EnrolmentStatus.PENDING

    phone.goto("/notifications/")
    # The title as shown (the item's buttons name it too, for screen readers).
    title = "You have a place in Spring mentoring as mentee"
    phone.locator(".notification strong", has_text=title).wait_for()
    for context in (page.context, phone.context):
        context.close()
