"""A program admin who is not site staff, in Chromium: creates a program with the right a site
admin granted, approves 20 people awaiting approval in three clicks, makes one of them an
admin too, and removes another after the page that asks first."""

import re

import pytest

from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tests.programs.factories import EnrolmentFactory, UserFactory, program_creator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"


def test_a_creator_runs_a_program_and_approves_twenty_at_once(page):
    creator = program_creator(email="pat@example.org", first_name="Pat", last_name="Lee")
    creator.set_password(PASSWORD)
    creator.save(update_fields=["password"])
    assert not creator.is_staff

    page.goto("/login/")
    page.get_by_label("Email").fill("pat@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard|/$"))
    page.goto("/programs/")
    page.get_by_role("link", name="New program").click()
    page.get_by_label("Name").fill("Data Guild 2027")
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_url(re.compile(r"/programs/data-guild-2027/$"))
    # The page's own requests done first: SQLite's shared test database locks a table while
    # the live server reads it, and the inserts below failed on it once ('table is locked').
    page.wait_for_load_state("networkidle")
    program = Program.objects.get(slug="data-guild-2027")

    waiting = [
        EnrolmentFactory(
            program=program,
            person=UserFactory(first_name=f"Person{n}"),
            status=EnrolmentStatus.PENDING,
            answers={"Why join?": f"Reason {n}"},
        )
        for n in range(20)
    ]
    page.goto(f"/programs/{program.slug}/participants/")
    # The three clicks: everyone waiting, select all on the page, approve.
    page.get_by_role("link", name="Show everyone awaiting approval").click()
    page.get_by_text("Reason 7").wait_for()
    page.get_by_label("Select all on this page").check()
    assert page.locator("input[name=ids]:checked").count() == 20
    page.get_by_role("button", name="Approve selected").click()
    page.get_by_text("Approved 20 people.").wait_for()
    assert set(
        Enrolment.objects.filter(pk__in=[e.pk for e in waiting]).values_list("status", flat=True)
    ) == {EnrolmentStatus.ACTIVE}

    page.goto(f"/programs/{program.slug}/participants/?q=Person3")
    page.get_by_role("button", name=re.compile("Make admin Person3")).click()
    # Making an admin asks first too, saying what they could then do.
    page.get_by_role(
        "heading", name=re.compile("Make Person3 .* an admin of Data Guild 2027")
    ).wait_for()
    assert not Enrolment.objects.filter(
        program=program, person=waiting[3].person, role=Role.ADMIN
    ).exists()
    page.get_by_role("button", name=re.compile("Make Person3 .* an admin")).click()
    page.get_by_text(re.compile("is now an admin of Data Guild 2027")).wait_for()
    assert Enrolment.objects.filter(
        program=program, person=waiting[3].person, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE
    ).exists()

    # Removing someone asks first, saying what happens; only the confirm button removes.
    page.goto(f"/programs/{program.slug}/participants/?q=Person5")
    page.get_by_role("button", name=re.compile("Remove Person5")).click()
    page.get_by_role(
        "heading", name=re.compile("Remove Person5 .* from Data Guild 2027")
    ).wait_for()
    page.get_by_text("Nobody is told").wait_for()
    assert Enrolment.objects.get(pk=waiting[5].pk).status == EnrolmentStatus.ACTIVE
    page.get_by_role("button", name=re.compile("Remove Person5")).click()
    page.wait_for_url(re.compile(rf"/programs/{program.slug}/participants/"))
    assert Enrolment.objects.get(pk=waiting[5].pk).status == EnrolmentStatus.REMOVED
