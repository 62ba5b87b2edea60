"""Messages as they arrive (a live journey, mentor in Los Angeles and mentee in Auckland):
the mentor's mentorship page, opened before the pair's first message, kept saying "No
messages yet. Say hello." while the mentee wrote three (its chat had no conversation id yet),
and the navigation's "Messages" showed no unread count on other pages until a reload."""

from __future__ import annotations

import pytest

from tandem.programs.models import Role
from tests.e2e.test_mentorship_journey import log_in, person
from tests.e2e.test_messaging_journey import (  # noqa: F401 (the fixture)
    asgi_server,
    browser_page,
    wait_for_live_socket,
)
from tests.mentorships.factories import mentorship
from tests.programs.factories import EnrolmentFactory


def pair(mentor, mentee):
    """A mentorship of two people enrolled in its program, as every real pair is: the
    navigation offers Messages, and its unread count, only to someone who joined a program."""
    m = mentorship(mentor=mentor, mentee=mentee)
    EnrolmentFactory(program=m.program, person=mentor, role=Role.MENTOR)
    EnrolmentFactory(program=m.program, person=mentee, role=Role.MENTEE)
    return m


@pytest.mark.browser
def test_first_messages_show_live_and_the_unread_count_follows(chromium, asgi_server):  # noqa: F811
    mentor = person("lena.badge@example.org", "Lena", "America/Los_Angeles")
    mentee = person("aroha.badge@example.org", "Aroha", "Pacific/Auckland")
    m = pair(mentor, mentee)
    aroha, lena = (
        browser_page(chromium, asgi_server, 1280),
        browser_page(chromium, asgi_server, 1280),
    )
    # The mentor's page is drawn before the conversation exists.
    log_in(lena, mentor.email)
    lena.goto(f"/mentorships/{m.pk}/")
    assert lena.get_attribute("#conversation", "data-conversation") == ""
    assert lena.locator("#no-messages").count() == 1
    log_in(aroha, mentee.email)
    aroha.goto(f"/messages/mentorship/{m.pk}/")
    for page in (aroha, lena):
        wait_for_live_socket(page)

    aroha.fill("textarea[name=body]", "Kia ora! Looking forward to Tuesday.")
    aroha.click("#message-form button[type=submit]")
    lena.wait_for_selector("#conversation >> text=Looking forward to Tuesday.")
    assert lena.locator("#no-messages").count() == 0
    # Shown on her page, so read: no unread count for it.
    aroha.wait_for_selector("#seen-note:not([hidden])")
    assert lena.locator("#nav-messages-unread").count() == 0
    # Her answer from that page goes into the same conversation and reaches Aroha.
    lena.fill("#message-form textarea[name=body]", "Kia ora Aroha! Tuesday works.")
    lena.click("#message-form button[type=submit]")
    aroha.wait_for_selector("text=Tuesday works.")

    # On a page without the conversation, each new message counts as it arrives.
    lena.goto("/")
    wait_for_live_socket(lena)
    for n, text in enumerate(["One more thing", "and another"], start=1):
        aroha.fill("textarea[name=body]", text)
        aroha.click("#message-form button[type=submit]")
        lena.wait_for_selector(f"#nav-messages-unread[data-count='{n}']")
    assert lena.inner_text("#nav-messages-unread") == "2 unread"
    assert aroha.locator("#nav-messages-unread").count() == 0  # one's own never count
    lena.reload()  # the server counts the same
    assert lena.inner_text("#nav-messages-unread") == "2 unread"
    for page in (aroha, lena):
        page.context.close()


@pytest.mark.browser
def test_a_chat_before_its_first_message_counts_the_other_conversations(chromium, asgi_server):  # noqa: F811
    """Leftovers review: on a mentorship page whose chat had no conversation yet, live.js
    counted no message at all, not knowing which conversation the page would show; a mentor's
    other mentee wrote and "Messages" showed no count until a reload. The page's own first
    message still does not count: the page shows it."""
    mentor = person("lena.two@example.org", "Lena", "America/Los_Angeles")
    aroha = person("aroha.two@example.org", "Aroha", "Pacific/Auckland")
    bo = person("bo.two@example.org", "Bo", "Europe/Oslo")
    with_aroha, with_bo = (
        pair(mentor, aroha),
        pair(mentor, bo),
    )
    lena, other = (
        browser_page(chromium, asgi_server, 1280),
        browser_page(chromium, asgi_server, 1280),
    )
    log_in(lena, mentor.email)
    lena.goto(f"/mentorships/{with_aroha.pk}/")
    assert lena.get_attribute("#conversation", "data-conversation") == ""
    log_in(other, bo.email)
    other.goto(f"/messages/mentorship/{with_bo.pk}/")
    for page in (lena, other):
        wait_for_live_socket(page)
    other.fill("textarea[name=body]", "Hei Lena, a question about my plan.")
    other.click("#message-form button[type=submit]")
    lena.wait_for_selector("#nav-messages-unread[data-count='1']")
    other.context.clear_cookies()
    log_in(other, aroha.email)
    other.goto(f"/messages/mentorship/{with_aroha.pk}/")
    wait_for_live_socket(other)
    other.fill("textarea[name=body]", "Kia ora Lena!")
    other.click("#message-form button[type=submit]")
    lena.wait_for_selector("#conversation >> text=Kia ora Lena!")
    other.wait_for_selector("#seen-note:not([hidden])")  # Lena's page read it
    assert lena.inner_text("#nav-messages-unread") == "1 unread"
    for page in (lena, other):
        page.context.close()
