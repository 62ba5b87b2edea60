"""At most MAX_CONCURRENT_REQUESTS HTTP requests reach Django at once; the rest wait in the
event loop, and one that waits past REQUEST_QUEUE_TIMEOUT gets a 503 with Retry-After."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from tandem.core.concurrency import SERVER_BUSY, limit_concurrent_requests


def _app(inside: list[int], most: list[int]):
    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        inside.append(1)
        most.append(len(inside))
        await asyncio.sleep(0.2)
        inside.pop()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


async def _call(app, body: bytes) -> tuple[int, dict, bytes]:
    parts = [
        {"type": "http.request", "body": body[:2], "more_body": True},
        {"type": "http.request", "body": body[2:], "more_body": False},
    ]
    sent = []

    async def receive():
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "path": "/"}, receive, send)
    headers = dict(sent[0]["headers"])
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


async def _gather(app, count: int):
    return await asyncio.gather(*(_call(app, f"body{n}".encode()) for n in range(count)))


def _many(app, count: int):
    """On a loop of its own in a thread (a browser test may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, _gather(app, count)).result()


def test_waiting_requests_go_in_turn_with_their_whole_body(settings):
    settings.MAX_CONCURRENT_REQUESTS, settings.REQUEST_QUEUE_TIMEOUT = 2, 10
    inside, most = [], []
    answers = _many(limit_concurrent_requests(_app(inside, most)), 5)
    assert [(status, body) for status, _, body in answers] == [
        (200, f"body{n}".encode()) for n in range(5)
    ]
    assert max(most) == 2


def test_a_request_that_waits_too_long_is_a_503(settings):
    settings.MAX_CONCURRENT_REQUESTS, settings.REQUEST_QUEUE_TIMEOUT = 1, 0.05
    answers = _many(limit_concurrent_requests(_app([], [])), 2)
    assert sorted(status for status, _, _ in answers) == [200, 503]
    busy = next(answer for answer in answers if answer[0] == 503)
    assert busy[1][b"retry-after"] == b"1" and SERVER_BUSY.encode() in busy[2]


def test_past_the_queue_a_request_is_refused_before_its_body_is_read(settings):
    """A flood of waiting uploads cannot fill the memory (each would hold its body)."""
    settings.MAX_CONCURRENT_REQUESTS, settings.REQUEST_QUEUE_TIMEOUT = 1, 10
    settings.MAX_QUEUED_REQUESTS = 2
    answers = _many(limit_concurrent_requests(_app([], [])), 6)
    statuses = sorted(status for status, _, _ in answers)
    # Two wait (the one taking the free place may count as waiting for a moment): the rest of
    # the six are refused at once.
    assert statuses.count(200) in (2, 3) and statuses.count(503) == 6 - statuses.count(200)
