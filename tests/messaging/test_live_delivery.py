"""What a send costs and what it tells the pages: few queries, one live push to both people,
each "message" event naming the message before it (a page that sees a gap fetches what it
missed), and a socket that waits idle over Redis keeps receiving."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator

from tandem.messaging import services
from tandem.notify.services import push_live_each
from tandem.settings import redis_channel_layer
from tandem.web.consumers import NotificationConsumer, person_group
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db

REDIS_READ_TIMEOUT = 5  # redis-py's default, in seconds
SEND_QUERIES = 12  # session, user, profile; the conversation; then in one transaction: lock,
# client id, rate, insert, last message, read marker (with BEGIN and COMMIT on SQLite)


@pytest.fixture
def pushes(monkeypatch):
    """The live pushes made (tests run the on-commit callbacks that make them)."""
    sent: list[tuple[tuple[int, ...], dict]] = []
    monkeypatch.setattr(
        services,
        "push_live_each",
        lambda *, user_ids, payload: sent.append((tuple(user_ids), payload)),
    )
    return sent


def test_a_send_costs_few_queries_and_one_push(
    client, pushes, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    m = mentorship()
    client.force_login(m.mentee)
    url = f"/api/mentorships/{m.pk}/messages"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            url, {"body": "one", "client_id": "k1"}, content_type="application/json"
        )
    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(SEND_QUERIES),
    ):
        second = client.post(
            url, {"body": "two", "client_id": "k2"}, content_type="application/json"
        )
    assert second.status_code == 201
    assert [people for people, _ in pushes] == [(m.mentor_id, m.mentee_id)] * 2
    assert [payload["previous"] for _, payload in pushes] == [0, first.json()["id"]]
    assert pushes[1][1]["message"]["id"] == second.json()["id"]


def test_previous_follows_the_conversation_whoever_sends(
    pushes, django_capture_on_commit_callbacks
):
    m = mentorship()
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    ids = []
    with django_capture_on_commit_callbacks(execute=True):
        for n, sender in enumerate((m.mentee, m.mentor, m.mentee)):
            message, _ = services.message_send(
                user=sender, conversation_id=conversation.pk, body=f"n{n}", client_id=f"c{n}"
            )
            ids.append(message.pk)
        services.message_send(  # a retry tells nobody again
            user=m.mentee, conversation_id=conversation.pk, body="n0", client_id="c0"
        )
    assert [payload["previous"] for _, payload in pushes] == [0, ids[0], ids[1]]
    conversation.refresh_from_db()
    assert conversation.last_message_id == ids[-1]


def _signed_in(user_id: int) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    socket.scope["user"] = type("Signed", (), {"pk": user_id, "is_authenticated": True})()
    socket.scope["session"] = type("Session", (), {"session_key": f"session{user_id}"})()
    return socket


@pytest.fixture(autouse=True)
def _sessions_stay_signed_in(monkeypatch):
    """These sockets test the channel layer, with made-up people and sessions: each push's
    session check (tests/web/test_socket_sessions.py) is taken as passed."""

    async def signed_in(self) -> bool:
        return True

    monkeypatch.setattr(NotificationConsumer, "_still_signed_in", signed_in)


async def _idle_then_receive(user_id: int) -> dict:
    socket = _signed_in(user_id)
    assert (await socket.connect(timeout=30))[0]
    # Longer than redis-py's default 5 s read timeout, which used to end channels_redis'
    # 5 s wait for events with a TimeoutError that killed the consumer.
    await asyncio.sleep(REDIS_READ_TIMEOUT + 1.5)
    await get_channel_layer().group_send(
        person_group(user_id), {"type": "person.event", "payload": {"event": "ping"}}
    )
    try:
        return await socket.receive_json_from(timeout=10)
    finally:
        await socket.disconnect()


def test_an_idle_socket_over_redis_keeps_receiving(redis_url, settings):
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(redis_url)}
    channel_layers.backends.clear()
    try:
        assert async_to_sync(_idle_then_receive)(987654) == {"event": "ping"}
    finally:
        channel_layers.backends.clear()


async def _both_receive_one_push() -> list[dict]:
    sockets = [_signed_in(user_id) for user_id in (11, 12)]
    for socket in sockets:
        assert (await socket.connect(timeout=30))[0]
    await sync_to_async(push_live_each)(user_ids=(11, 12), payload={"event": "both"})
    try:
        return [await socket.receive_json_from(timeout=10) for socket in sockets]
    finally:
        for socket in sockets:
            await socket.disconnect()


def test_one_push_reaches_both_people():
    assert async_to_sync(_both_receive_one_push)() == [{"event": "both"}] * 2


async def _many_close_at_once(count: int) -> None:
    sockets = [_signed_in(1000 + n) for n in range(count)]
    await asyncio.gather(*(socket.connect(timeout=60) for socket in sockets))
    # raises if one failed
    await asyncio.gather(*(socket.disconnect(timeout=60) for socket in sockets))


def test_many_sockets_closing_at_once_over_redis(redis_url, settings):
    """Each closing socket leaves its group with a Redis connection of its own: past
    redis-py's default 100 at once the pool refused them ("Too many connections")."""
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(redis_url)}
    channel_layers.backends.clear()
    try:
        async_to_sync(_many_close_at_once)(120)
    finally:
        channel_layers.backends.clear()
