"""The one request size limit: ``settings.MAX_REQUEST_BYTES``, refused with one message.

Django's ASGI handler reads the whole body (into a temporary file) before any middleware or
view runs, so a limit checked there comes after the bytes have arrived. ``limit_request_body``
is an ASGI wrapper that runs first: a request whose ``Content-Length`` is over the limit gets a
413 at once, and a body sent without a length (chunked) gets the same 413 as soon as it passes
the limit, while Django is told the client went away (so it stops reading and answers nothing
itself). ``RequestSizeLimitMiddleware`` (``tandem.core.middleware``) applies the same check by
the declared length inside Django, for servers and test clients that do not go through this
wrapper; Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is set to the same figure. The largest
legitimate body is a participant file (5 MB) with its form fields.

Under ``/api/`` the answer is the shared error body ``{"detail": ..., "fields": {}}``; elsewhere
it is a small page a person can read, with a way back.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils.html import escape

# The ASGI shapes this wrapper handles, as plain mappings (it reads only a few keys).
Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_TOO_LARGE = (
    "The request is larger than the limit of {limit}. Send less at once: split a large file "
    "into several smaller ones."
)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / 1024 / 1024:.3g} MB"
    return f"{limit:,} bytes"


def request_too_large_message(limit: int) -> str:
    return REQUEST_TOO_LARGE.format(limit=_size(limit))


def request_too_large(*, path: str, limit: int) -> tuple[str, bytes]:
    """The content type and body of the 413 answer for a request to ``path``."""
    message = request_too_large_message(limit)
    if path.startswith("/api/"):
        return "application/json", json.dumps({"detail": message, "fields": {}}).encode()
    return "text/html; charset=utf-8", _page(message).encode()


def _page(message: str) -> str:
    """Plain HTML without the layout: this answer is made before Django runs."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Too large to send · Tandem</title></head><body><main>"
        f"<h1>Too large to send</h1><p>{escape(message)}</p>"
        '<p><a href="/">Back to Tandem</a> (your browser\'s back button keeps the form).</p>'
        "</main></body></html>"
    )


def limit_request_body(app: ASGIApp, *, max_bytes: int) -> ASGIApp:
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        declared = _declared_length(scope)
        if declared is not None and declared > max_bytes:
            return await _refuse(scope, send, max_bytes)
        body = _CountedBody(scope, receive, send, max_bytes)
        return await app(scope, body.receive, body.send)

    return guarded


def _declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``; None when it sent none (or not a number)."""
    length = dict(scope.get("headers") or []).get(b"content-length")
    try:
        return int(length) if length is not None else None
    except ValueError:
        return None


class _CountedBody:
    """One request's ``receive`` and ``send`` for the app, counting the body as it arrives.

    Past the limit (no or a false ``Content-Length``) the app is told the client went away
    and, unless the app's answer has started, the client gets the 413 instead of it.
    """

    def __init__(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        self._scope, self._receive, self._send = scope, receive, send
        self._max_bytes = max_bytes
        self._seen = 0
        self._started = self._answered = False

    async def receive(self) -> Message:
        if self._answered:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self._seen += len(message.get("body", b""))
        if self._seen <= self._max_bytes:
            return message
        if not self._started:
            await _refuse(self._scope, self._send, self._max_bytes)
            self._answered = True
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self._answered:
            return  # the 413 went out instead
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    content_type, body = request_too_large(path=scope.get("path", ""), limit=limit)
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
    if policy:
        headers.append((b"content-security-policy", policy.encode()))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
