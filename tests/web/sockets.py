"""Websockets opened as a browser opens them: by a signed-in session."""

from __future__ import annotations

from importlib import import_module

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from tandem.web.consumers import NotificationConsumer


def signed_in_session(user):
    """A stored session that signs ``user`` in, as logging in makes one."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store


def socket_for(user, session=None) -> WebsocketCommunicator:
    """The notification socket of ``user``, opened by ``session`` (a new one by default)."""
    session = session or signed_in_session(user)
    socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    socket.scope["user"] = user
    socket.scope["session"] = import_module(settings.SESSION_ENGINE).SessionStore(
        session_key=session.session_key
    )
    return socket
