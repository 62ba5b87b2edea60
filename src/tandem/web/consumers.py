"""A per-person websocket that pushes live events (notifications, messages) to open pages.

A socket belongs to the session that opened it, not only to the person: logging out closes the
sockets that session opened (:func:`close_session_sockets`, on Django's ``user_logged_out``),
deleting the account closes all of the person's (:func:`close_sockets_of_deleted_account`),
and before each event is forwarded the session is read again, so a socket whose session has
ended (logged out elsewhere, expired, a password changed or reset, the account deactivated)
closes instead of pushing the pair's messages to whoever sits at that screen next.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from importlib import import_module
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from channels.auth import get_user
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from tandem.people.models import User

logger = logging.getLogger(__name__)

# Sends scheduled from async code, kept until done (a task nobody holds may be collected).
_sending: set[asyncio.Task] = set()

# The close code a page reads as "signed out" (also sent to a socket that was never signed in).
SIGNED_OUT = 4401


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def session_group(session_key: str) -> str:
    """The group of the sockets one session opened, named by a digest: the session key is a
    credential and has no business in the channel layer (Redis)."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:48]


def close_session_sockets(*, session_key: str | None) -> None:
    """Close every socket the session opened (best effort, as every live push is)."""
    if session_key:
        _send_close(session_group(session_key), "session.close", "a session that ended")


def close_person_sockets(*, user_id: int) -> None:
    """Close every socket the person has open, in every session (best effort)."""
    _send_close(person_group(user_id), "person.close", "a deleted account")


def close_sockets_of_deleted_account(*, user: User) -> None:
    """The account eraser (``people.services.closing``): once the deletion commits, every
    socket of the person closes with ``SIGNED_OUT``, as logging out closes one session's;
    sockets of their other sessions saw no logout, and with their notifications erased no
    push would come to read the ended session again."""
    user_id = user.pk
    transaction.on_commit(lambda: close_person_sockets(user_id=user_id))


def _send_close(group: str, kind: str, whose: str) -> None:
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        event = (group, {"type": kind})
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a sync caller (the logout view): the usual case
            async_to_sync(layer.group_send)(*event)
        else:  # called from async code (a receiver of ``alogout``): no blocking here
            _sending.add(task := loop.create_task(layer.group_send(*event)))
            task.add_done_callback(_sending.discard)
    except Exception:  # noqa: BLE001 - the logout itself must not fail; each push re-checks
        logger.warning("Could not close the sockets of %s", whose, exc_info=True)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) if session is not None else None
        if user is None or not user.is_authenticated or not session_key:
            await self.close(code=SIGNED_OUT)
            return
        self.user_id = user.pk
        self.session_key = session_key
        self.ended = False
        self.joined = [person_group(user.pk), session_group(session_key)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Ignore whatever the client sends, unread: the socket only pushes (``live.js`` sends
        nothing). Decoding it as JSON made every non-JSON or binary frame of a signed-in
        client an "Exception in ASGI application" traceback, and a large frame parsed on the
        event loop held up every other request of the process (live websocket review)."""

    async def disconnect(self, code):
        for group in getattr(self, "joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def person_event(self, event):
        """Forward an event sent to the person's group (``type: person.event``), while the
        session that opened the socket is still theirs."""
        if self.ended:
            return
        if not await self._still_signed_in():
            await self._end()
            return
        await self.send_json(event["payload"])

    async def session_close(self, event):
        """The session logged out (``type: session.close``)."""
        await self._end()

    async def person_close(self, event):
        """The person's account was deleted (``type: person.close``), whatever the session."""
        await self._end()

    async def _end(self) -> None:
        self.ended = True
        await self.close(code=SIGNED_OUT)

    async def _still_signed_in(self) -> bool:
        """The session read afresh still signs in this person, as Django would check it on a
        page (it exists, has not expired, its password hash matches, the account is active)."""
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=self.session_key)
        user = await get_user({"session": store})
        return bool(user.is_authenticated and user.pk == self.user_id)


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Refuses a socket at a path Tandem serves none on (the handshake answers 403). Channels'
    router raised for it instead: a 500 and an "Exception in ASGI application" traceback in the
    server's log for every such probe, anonymous ones included (a deployment's live check)."""

    async def connect(self):
        await self.close()
