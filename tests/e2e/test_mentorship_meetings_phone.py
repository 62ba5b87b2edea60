"""The mentorship page's meetings on a phone (ux review: each meeting took three labelled rows,
"When", "Format", "Status", and a series of six filled a screen and a half): a meeting reads
in two short lines, its time, then its format and status side by side."""

from __future__ import annotations

import pytest

from tests.e2e.test_phone_widths import PHONE, open_as
from tests.mentorships.factories import meeting, mentorship
from tests.people.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.any_database,
    pytest.mark.django_db(transaction=True),
]


def test_a_meeting_is_two_lines_on_a_phone(chromium, live_server):
    pair = mentorship()
    pair.mentee.set_password(PASSWORD)
    pair.mentee.save(update_fields=["password"])
    for days in (2, 16, 30):
        meeting(pair, in_hours=24 * days)
    page = open_as(chromium, live_server, pair.mentee, viewport=PHONE)
    page.goto(f"/mentorships/{pair.pk}/")
    rows = page.locator("#meetings tbody tr")
    assert rows.count() == 3
    for i in range(3):
        row = rows.nth(i)
        fmt = row.locator('td[data-label="Format"]').bounding_box()
        status = row.locator('td[data-label="Status"]').bounding_box()
        when = row.locator('td[data-label="When"]').bounding_box()
        assert fmt and status and when
        assert abs(fmt["y"] - status["y"]) < 8  # side by side
        assert fmt["y"] >= when["y"] + when["height"] - 2  # under the time
        assert "Format" not in row.inner_text()  # no label before each figure
        assert row.bounding_box()["height"] < 80
    page.context.close()


def test_a_one_line_forms_button_sits_beside_its_box_on_a_desktop(chromium, live_server):
    """UX review: the meeting agenda's Add stood at the card's far edge, 25rem right of the box
    it sends."""
    pair = mentorship()
    pair.mentee.set_password(PASSWORD)
    pair.mentee.save(update_fields=["password"])
    soon = meeting(pair, in_hours=48)
    page = open_as(chromium, live_server, pair.mentee)
    page.goto(f"/mentorships/meetings/{soon.pk}/")
    form = page.locator("form.row-form").first
    box = form.locator("input[type=text]").bounding_box()
    button = form.locator("button[type=submit]").bounding_box()
    assert box and button
    assert 0 <= button["x"] - (box["x"] + box["width"]) < 24
    page.context.close()
