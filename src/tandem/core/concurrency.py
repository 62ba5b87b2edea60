"""At most ``settings.MAX_CONCURRENT_REQUESTS`` HTTP requests in Django at once per process.

Django's ASGI handler runs each request's view on a thread of its own, and uvicorn accepts
every connection, so a burst became a thread per request (hundreds), each wanting a database
connection: past the pool the requests waited on it and failed after its timeout, and the
event loop that also carries the websockets fell behind. ``limit_concurrent_requests`` is an
ASGI wrapper that lets a request into Django only when a place is free; the rest wait in the
event loop (no thread, no connection). A request's body is read before it takes a place, so a
slow upload holds none. One that waits longer than ``settings.REQUEST_QUEUE_TIMEOUT`` seconds
gets a 503 with ``Retry-After`` instead of an answer a minute late. At most
``settings.MAX_QUEUED_REQUESTS`` wait at once: the next gets its 503 before its body is read,
so waiting bodies (each under the request size limit) cannot fill the memory.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from dataclasses import dataclass, field

from django.conf import settings

from tandem.core.body_limit import ASGIApp, Message, Receive, Scope, Send

SERVER_BUSY = "The server is busy. Try again in a moment."


async def _read_body(receive: Receive) -> list[Message]:
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


async def _busy(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps({"detail": SERVER_BUSY}).encode()})


@dataclass
class _Queue:
    places: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(settings.MAX_CONCURRENT_REQUESTS)
    )
    waiting: int = 0


def limit_concurrent_requests(app: ASGIApp) -> ASGIApp:
    # One queue per event loop (a server has one; tests start several).
    queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
        weakref.WeakKeyDictionary()
    )

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        queue = queues.get(loop)
        if queue is None:
            queue = queues[loop] = _Queue()
        if queue.waiting >= settings.MAX_QUEUED_REQUESTS:
            await _busy(send)
            return
        queue.waiting += 1
        try:
            read = await _read_body(receive)
            await asyncio.wait_for(queue.places.acquire(), settings.REQUEST_QUEUE_TIMEOUT)
        except TimeoutError:
            await _busy(send)
            return
        finally:
            queue.waiting -= 1

        async def replay() -> Message:
            return read.pop(0) if read else await receive()

        try:
            await app(scope, replay, send)
        finally:
            queue.places.release()

    return limited
