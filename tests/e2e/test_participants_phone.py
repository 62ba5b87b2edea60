"""The participants page on a phone (UX review: about 8,400 px per 25 rows, and a red Remove
right beside Pause on every row): a row is a few short lines, and Remove comes last, set apart
from Pause and Make admin, on a phone and on a desktop. Remove still asks before it acts
(tests/programs/test_confirm.py)."""

from __future__ import annotations

import pytest

from tandem.programs.models import Role
from tests.e2e.test_phone_widths import PHONE, open_as
from tests.people.factories import ProfileFactory, UserFactory
from tests.programs.factories import ProgramFactory, enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.any_database,
    pytest.mark.django_db(transaction=True),
]

ROW_MOST_PX = 230  # name, email, role and status, details, the buttons (it was about 290)
APART_LEAST_PX = 20  # between Remove and the button before it (the flex gap alone is 8)


@pytest.fixture
def program_and_admin():
    program = ProgramFactory(name="Data Guild", slug="data-guild")
    admin = ProfileFactory(user=UserFactory(first_name="Ada", last_name="Admin")).user
    enrol(admin, program, role=Role.ADMIN)
    person = ProfileFactory(
        user=UserFactory(first_name="Bea", last_name="Mentee"),
        department="Operations",
        timezone="America/New_York",
    ).user
    enrol(person, program)
    return program, admin, person


def test_a_row_is_compact_on_a_phone_and_remove_is_set_apart(
    chromium, live_server, program_and_admin
):
    program, admin, person = program_and_admin
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        page = open_as(chromium, live_server, admin, viewport=viewport)
        page.goto(f"{live_server.url}/programs/{program.slug}/participants/")
        row = page.locator("tr", has_text="Bea Mentee")
        buttons = row.get_by_role("button")
        labels = [buttons.nth(i).inner_text() for i in range(buttons.count())]
        assert labels == ["Pause", "Make admin", "Remove"], viewport
        before = buttons.nth(1).bounding_box()
        remove = buttons.nth(2).bounding_box()
        assert before and remove
        same_line = abs(before["y"] - remove["y"]) < 5
        assert not same_line or remove["x"] - (before["x"] + before["width"]) >= APART_LEAST_PX
        if viewport is PHONE:
            box = row.bounding_box()
            assert box and box["height"] <= ROW_MOST_PX, box
            details = row.locator(".detail")
            tops = {round(details.nth(i).bounding_box()["y"]) for i in range(details.count())}
            assert details.count() == 2 and len(tops) == 1  # the details share one line
