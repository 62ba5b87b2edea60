"""``/healthz`` (``core.liveness``): a load balancer probing a replica by its address got a 400
(the address is no allowed host) or a 301 to https from Django (live deployment check). It is
answered in front of Django, whatever the host, and says whether the database answers."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connections

from tandem.core import liveness

pytestmark = pytest.mark.django_db(transaction=True)


async def _django(scope, receive, send):
    await send({"type": "http.response.start", "status": 400, "headers": []})
    await send({"type": "http.response.body", "body": b"Django"})


def _probe(path: str = "/healthz", method: str = "GET") -> tuple[int, dict, bytes]:
    """On a loop of its own in a thread (a browser test may hold this thread's loop)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "path": path,
        "method": method,
        "headers": [(b"host", b"10.0.0.7:8000")],
    }
    app = liveness.answer_health_checks(_django)
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


def test_a_probe_by_address_is_answered_ok_without_django():
    status, headers, body = _probe()
    assert (status, body) == (200, b"ok\n")
    assert headers[b"content-type"] == b"text/plain; charset=utf-8"
    assert headers[b"cache-control"] == b"no-store"


def test_head_has_no_body_and_other_methods_are_refused():
    assert _probe(method="HEAD")[::2] == (200, b"")
    status, headers, _ = _probe(method="POST")
    assert status == 405 and headers[b"allow"] == b"GET, HEAD"


def test_a_database_that_does_not_answer_is_a_503(monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    # On the class: the probe runs in a thread of its own, with a connection of its own.
    monkeypatch.setattr(type(connections["default"]), "cursor", broken)
    assert _probe()[::2] == (503, b"database unavailable\n")


def test_every_other_path_goes_to_django():
    assert _probe("/healthz/")[::2] == (400, b"Django")
    assert _probe("/")[::2] == (400, b"Django")
