"""The per-person websocket: only signed-in sessions connect, and events reach only their owner
(what a session's end does to its sockets: test_socket_sessions.py)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from tandem.people.models import User
from tandem.routing import websocket_urlpatterns
from tandem.web.consumers import NotificationConsumer, person_group
from tests.web.sockets import socket_for

pytestmark = pytest.mark.django_db


def connect(user):
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    return communicator


async def deliver_to_owner_only(alice, bob):
    alice_socket = await sync_to_async(socket_for)(alice)
    bob_socket = await sync_to_async(socket_for)(bob)
    assert (await alice_socket.connect(timeout=30))[0]
    assert (await bob_socket.connect(timeout=30))[0]
    layer = get_channel_layer()
    await layer.group_send(
        person_group(alice.pk), {"type": "person.event", "payload": {"kind": "ping", "n": 1}}
    )
    assert await alice_socket.receive_json_from(timeout=10) == {"kind": "ping", "n": 1}
    assert await bob_socket.receive_nothing(timeout=0.2)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def refuse_anonymous():
    socket = connect(AnonymousUser())
    connected, code = await socket.connect(timeout=30)
    assert not connected
    assert code == 4401


@pytest.fixture
def two_people():
    return (
        User.objects.create_user("alice@example.com", "pw-long-enough-1"),
        User.objects.create_user("bob@example.com", "pw-long-enough-2"),
    )


def test_anonymous_socket_is_refused():
    async_to_sync(refuse_anonymous)()


async def refuse_without_a_session(user):
    connected, code = await connect(user).connect(timeout=30)
    assert (connected, code) == (False, 4401)


def test_a_socket_without_a_session_is_refused(two_people):
    """A socket belongs to the session that opened it (so that logging out can close it)."""
    async_to_sync(refuse_without_a_session)(two_people[0])


def test_event_reaches_only_its_owner_in_memory(two_people):
    async_to_sync(deliver_to_owner_only)(*two_people)


def test_event_reaches_only_its_owner_over_redis(two_people, redis_url, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    channel_layers.backends.clear()
    try:
        async_to_sync(deliver_to_owner_only)(*two_people)
    finally:
        channel_layers.backends.clear()


async def open_at(path: str):
    socket = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    socket.scope["user"] = AnonymousUser()
    return await socket.connect(timeout=30)


@pytest.mark.parametrize("path", ["/ws/conversations/2/", "/ws/notifications/2/", "/"])
def test_a_socket_at_an_unknown_path_is_refused_without_an_error(path):
    """The router raised (a 500 and a traceback in the log per probe); now a plain refusal."""
    assert async_to_sync(open_at)(path) == (False, 1000)


def test_the_notification_socket_is_still_routed_before_the_refusal():
    assert async_to_sync(open_at)("/ws/notifications/") == (False, 4401)


async def ignore_what_the_client_sends(alice):
    socket = await sync_to_async(socket_for)(alice)
    assert (await socket.connect(timeout=30))[0]
    await socket.send_to(text_data="not json {")
    await socket.send_to(bytes_data=b"\x00\x01")
    await socket.send_to(text_data='{"type": "person.event", "payload": {"forged": true}}')
    assert await socket.receive_nothing(timeout=0.2)
    await get_channel_layer().group_send(
        person_group(alice.pk), {"type": "person.event", "payload": {"kind": "ping"}}
    )
    assert await socket.receive_json_from(timeout=10) == {"kind": "ping"}
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)  # the push reads the session: PostgreSQL, see sockets
def test_frames_from_the_client_are_ignored_unread(two_people):
    """Live websocket review: a non-JSON or binary frame from a signed-in page raised in the
    consumer ("Exception in ASGI application", the socket closed 1011); the socket only pushes,
    so what a client sends is ignored, forged event types included, and the socket carries on."""
    async_to_sync(ignore_what_the_client_sends)(two_people[0])
