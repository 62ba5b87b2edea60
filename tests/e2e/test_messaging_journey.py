"""Mentor and mentee chat in real time in two browsers on a live ASGI server (HTTP and the
websocket), the mentee's page catches up on what it missed after a reconnect, and a retry of
the same send stores one message."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from tandem.messaging.models import Message
from tandem.messaging.services import conversation_for_mentorship
from tests.e2e.test_mentorship_journey import PASSWORD, log_in, person
from tests.mentorships.factories import mentorship


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_server(postgres_only, transactional_db):
    """The real ASGI application (Django and Channels) under uvicorn in a thread: pytest-django's
    live server speaks only HTTP. On the PostgreSQL pass only: the SQLite test database is an
    in-memory one shared between threads, which answers "table is locked" instead of waiting
    when the server's threads and this one overlap (a deployed SQLite is a WAL file that waits)."""
    from tandem.asgi import application

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# live.js dispatches tandem:live-open once the server has put the socket in the person's group.
RECORD_LIVE_OPEN = (
    "document.addEventListener('tandem:live-open', () => { window.liveOpen = true; });"
)


def browser_page(chromium, base_url, width):
    # bypass_csp: Playwright polls a wait_for_function predicate with eval, which the pages'
    # script-src 'self' refuses once the first check is false (a CI run failed so).
    context = chromium.new_context(
        base_url=base_url, viewport={"width": width, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(30_000)
    context.add_init_script(RECORD_LIVE_OPEN)
    return context.new_page()


def wait_for_live_socket(page) -> None:
    """Until the page's socket is open and joined, instead of sleeping for a guess."""
    page.wait_for_function("window.liveOpen === true")


@pytest.mark.browser
def test_two_people_chat_live_and_catch_up_after_a_drop(chromium, asgi_server):
    mentor = person("mira.chat@example.org", "Mira", "Europe/London")
    mentee = person("theo.chat@example.org", "Theo", "America/New_York")
    m = mentorship(mentor=mentor, mentee=mentee)
    url = f"/messages/mentorship/{m.pk}/"
    theo, mira = browser_page(chromium, asgi_server, 1280), browser_page(chromium, asgi_server, 390)
    for page, who in ((theo, mentee), (mira, mentor)):
        log_in(page, who.email)
        page.goto(url)
    assert PASSWORD  # both logged in with the journey's password
    for page in (theo, mira):
        wait_for_live_socket(page)

    theo.fill(
        "textarea[name=body]", "Hi Mira, could you look at my talk outline? https://example.org/o"
    )
    theo.click("#message-form button[type=submit]")
    mira.wait_for_selector("text=could you look at my talk outline")
    assert mira.locator("a[href='https://example.org/o']").count() == 1

    mira.fill("textarea[name=body]", "Gladly, send it over.")
    mira.click("#message-form button[type=submit]")
    theo.wait_for_selector("text=Gladly, send it over.")
    mira.wait_for_selector("#seen-note:not([hidden])")  # Theo's page read it

    # Messages stored while Theo's socket was down (no live event reaches him) ...
    conversation = conversation_for_mentorship(user=mentor, mentorship_id=m.pk)
    for n in range(3):
        Message.objects.create(
            conversation=conversation, sender=mentor, client_id=f"away-{n}", body=f"While away {n}"
        )
    # ... are fetched when it reconnects, in order, each once.
    theo.evaluate("document.dispatchEvent(new CustomEvent('tandem:live-open'))")
    theo.wait_for_selector("text=While away 2")
    bodies = theo.locator("#message-list .chat-body").all_inner_texts()
    assert bodies[-3:] == ["While away 0", "While away 1", "While away 2"]
    assert len(bodies) == len(set(bodies)) == 5

    # A send whose answer was lost is retried with the same client id: stored once.
    reply = {"body": "Thanks!", "client_id": "retry-1"}
    for _ in range(2):
        status = theo.evaluate(
            """async (payload) => (await fetch(location.pathname.replace('/messages/mentorship/',
                 '/api/mentorships/').replace(/\\/$/, '/messages'), {method: 'POST',
                 headers: {'Content-Type': 'application/json', 'X-CSRFToken':
                 document.querySelector('meta[name=csrf-token]').content},
                 body: JSON.stringify(payload)})).status""",
            reply,
        )
        assert status in (200, 201)
    assert Message.objects.filter(client_id="retry-1").count() == 1
    mira.wait_for_selector("text=Thanks!")
    assert mira.locator("text=Thanks!").count() == 1
    for page in (theo, mira):
        page.context.close()
