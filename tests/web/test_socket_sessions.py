"""A live socket ends with the session that opened it (rpriv F6): after ``POST /logout/`` an
open ``/ws/notifications/`` kept pushing the partner's new messages, full text, to whoever sat
at that screen next. Logging out closes the session's sockets, and each push reads the session
again first, so a socket whose session ended in any other way (deleted, expired, a password
changed, the account deactivated) closes instead of forwarding. And every answer to a signed-in
request says ``Cache-Control: private, no-store``."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tandem.notify.services import push_live
from tandem.routing import websocket_urlpatterns
from tandem.web.consumers import SIGNED_OUT
from tests.people.factories import UserFactory
from tests.web.sockets import signed_in_session, socket_for

pytestmark = pytest.mark.django_db
# The consumer reads the session as channels reads the database (closing stale connections
# first), which PostgreSQL refuses inside a test's transaction.
SOCKETS = pytest.mark.django_db(transaction=True)
SECRET = {"event": "message", "message": {"body": "AFTER-LOGOUT secret message"}}


def _run(scenario) -> None:
    """Run ``scenario`` on a loop of its own thread, whatever loop an earlier test left in this
    one (the socket tests use the database as the server does, outside a test transaction)."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result()


async def _closed(socket) -> int:
    """The close code the socket got (fails when it got anything else, or nothing)."""
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def _pushed(user, payload) -> None:
    await sync_to_async(push_live)(user_id=user.pk, payload=payload)


def _browser(user) -> tuple[Client, WebsocketCommunicator]:
    """A browser signed in as ``user`` and its socket, opened through the real stack with the
    browser's session cookie."""
    browser = Client()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    socket = WebsocketCommunicator(
        AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        "/ws/notifications/",
        headers=[(b"cookie", cookie.encode())],
    )
    return browser, socket


@SOCKETS
def test_logging_out_closes_that_sessions_sockets_only():
    user = UserFactory()
    here, here_socket = _browser(user)
    _, elsewhere_socket = _browser(user)  # the same person on another device

    async def scenario():
        assert (await here_socket.connect(timeout=30))[0]
        assert (await elsewhere_socket.connect(timeout=30))[0]
        response = await sync_to_async(here.post)(reverse("logout"))
        assert response.status_code == 302
        assert await _closed(here_socket) == SIGNED_OUT
        await _pushed(user, SECRET)
        assert await elsewhere_socket.receive_json_from(timeout=5) == SECRET
        await elsewhere_socket.disconnect()

    _run(scenario)


@SOCKETS
@pytest.mark.parametrize("where", ["page", "api"])
def test_deleting_the_account_closes_its_sockets_in_every_session(where):
    """Leftovers review 3: logging out closed the session's sockets, deleting the account did
    not: the sockets of the person's other sessions (all of them, when deleted through the
    API) stayed open, and with their notifications erased no push came to close them."""
    from tandem.people.services.tokens import api_token_create
    from tests.people.factories import PASSWORD

    user = UserFactory()
    here, here_socket = _browser(user)
    _, elsewhere_socket = _browser(user)  # the same person on another device
    _, secret = api_token_create(user=user, name="script")

    def delete():
        if where == "page":
            return here.post(reverse("account_delete"), {"confirm": "yes", "password": PASSWORD})
        return Client().post(
            "/api/people/me/delete",
            {"password": PASSWORD},
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )

    async def scenario():
        assert (await here_socket.connect(timeout=30))[0]
        assert (await elsewhere_socket.connect(timeout=30))[0]
        response = await sync_to_async(delete)()
        assert response.status_code in (204, 302)
        assert await _closed(here_socket) == SIGNED_OUT
        assert await _closed(elsewhere_socket) == SIGNED_OUT

    _run(scenario)


@SOCKETS
@pytest.mark.parametrize("ending", ["deleted", "password", "deactivated"])
def test_a_socket_whose_session_ended_closes_instead_of_pushing(ending):
    """The close on logout is best effort (a channel layer down, a session ended another way):
    each push reads the session first."""
    user = UserFactory()
    session = signed_in_session(user)
    socket = socket_for(user, session)

    def end() -> None:
        if ending == "deleted":
            Session.objects.filter(session_key=session.session_key).delete()
        elif ending == "password":
            user.set_password("a-new-password-long-enough")
            user.save()
        else:
            user.is_active = False
            user.save()

    async def scenario():
        assert (await socket.connect(timeout=30))[0]
        await _pushed(user, {"event": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"event": "ping"}
        await sync_to_async(end)()
        await _pushed(user, SECRET)
        assert await _closed(socket) == SIGNED_OUT
        await _pushed(user, SECRET)
        assert await socket.receive_nothing(timeout=0.3)

    _run(scenario)


def test_signed_in_answers_are_private_and_not_stored(client):
    user = UserFactory()
    anonymous = client.get(reverse("identity_edit"))  # the redirect to the log-in page
    assert anonymous.status_code == 302 and "Cache-Control" not in anonymous
    client.force_login(user)
    for url in (reverse("identity_edit"), "/api/people/me"):
        cache = client.get(url)["Cache-Control"]
        assert {"private", "no-store"} <= {part.strip() for part in cache.split(",")}, url
        assert "public" not in cache


def test_static_files_stay_cacheable(client):
    client.force_login(UserFactory())
    response = client.get(settings.STATIC_URL + "web/tandem.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
