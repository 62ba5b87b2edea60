"""A page that misses a live event (a server process fell behind and dropped it) sees the gap
in the next event's ``previous`` id and fetches what it missed, in order, each once."""

from __future__ import annotations

import pytest

from tandem.messaging import services
from tests.e2e.test_mentorship_journey import log_in, person
from tests.e2e.test_messaging_journey import (  # noqa: F401 - fixture
    asgi_server,
    browser_page,
    wait_for_live_socket,
)
from tests.mentorships.factories import mentorship


@pytest.mark.browser
def test_a_dropped_event_is_fetched_when_the_next_one_arrives(
    chromium,
    asgi_server,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    mentor = person("gap.mentor@example.org", "Gia", "Europe/Paris")
    mentee = person("gap.mentee@example.org", "Hal", "Asia/Tokyo")
    m = mentorship(mentor=mentor, mentee=mentee)
    page, sender = (browser_page(chromium, asgi_server, 1280) for _ in range(2))
    for who, tab in ((mentee, page), (mentor, sender)):
        log_in(tab, who.email)
        tab.goto(f"/messages/mentorship/{m.pk}/")
    for tab in (page, sender):
        wait_for_live_socket(tab)

    def send(body: str, client_id: str) -> None:
        status = sender.evaluate(
            """async (payload) => (await fetch(document.getElementById('conversation')
                 .dataset.listUrl, {method: 'POST', headers: {'Content-Type':
                 'application/json', 'X-CSRFToken':
                 document.querySelector('meta[name=csrf-token]').content},
                 body: JSON.stringify(payload)})).status""",
            {"body": body, "client_id": client_id},
        )
        assert status == 201

    live = services.push_live_each  # the server runs in this process: its sends use this
    monkeypatch.setattr(services, "push_live_each", lambda **_: None)  # dropped on the way
    send("Dropped on the way", "gap-1")
    monkeypatch.setattr(services, "push_live_each", live)
    send("Arrived live", "gap-2")
    page.wait_for_selector("text=Dropped on the way")
    page.wait_for_selector("text=Arrived live")
    bodies = page.locator("#message-list .chat-body").all_inner_texts()
    assert bodies == ["Dropped on the way", "Arrived live"]
    for tab in (page, sender):
        tab.context.close()
