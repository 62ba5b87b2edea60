"""``/healthz`` (``core.liveness``): a load balancer probing a replica by its address got a 400
(the address is no allowed host) or a 301 to https from Django (live deployment check). It is
answered in front of Django, whatever the host, and says whether the database, the cache and
the channel layer answer: it said 200 while Redis was down and every log-in failed."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connections

from tandem.core import liveness
from tandem.settings import redis_channel_layer

pytestmark = pytest.mark.django_db(transaction=True)


async def _django(scope, receive, send):
    await send({"type": "http.response.start", "status": 400, "headers": []})
    await send({"type": "http.response.body", "body": b"Django"})


ANSWERED: list[float] = []  # when the last probe's answer started, by time.monotonic


def _probe(path: str = "/healthz", method: str = "GET") -> tuple[int, dict, bytes]:
    """On a loop of its own in a thread (a browser test may hold this thread's loop)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.start":
            ANSWERED[:] = [time.monotonic()]

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
    # The database cache (no REDIS_URL) is in that database: it is down with it.
    assert _probe()[::2] == (503, b"database unavailable\ncache unavailable\n")


def use_redis(settings, url: str) -> None:
    """The cache and channel layer ``REDIS_URL`` gives (tandem.settings)."""
    settings.CACHES = {"default": {"BACKEND": liveness.REDIS_CACHE, "LOCATION": url}}
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(url)}


def test_an_unreachable_redis_is_a_503_naming_what_failed_and_no_secret(settings):
    use_redis(settings, "redis://:hunter2-secret@127.0.0.1:6390/0")
    started = time.monotonic()
    status, _, body = _probe()
    assert (status, body) == (503, b"cache unavailable\nchannel layer unavailable\n")
    assert ANSWERED[0] - started < liveness.TIMEOUT + 1


def test_a_reachable_redis_is_ok(settings, redis_url):
    use_redis(settings, redis_url)
    assert _probe()[::2] == (200, b"ok\n")


def test_a_missing_cache_table_is_a_503(settings):
    """What dropping REDIS_URL did before ``migrate`` made the table (core 0001)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tandem_cache_never_made",
        }
    }
    assert _probe()[::2] == (503, b"cache unavailable\n")


def test_a_dependency_that_hangs_is_a_503_in_the_time_allowed(monkeypatch):
    monkeypatch.setattr(liveness, "TIMEOUT", 0.2)
    monkeypatch.setitem(liveness.DEPENDENCIES, "channel layer", lambda: time.sleep(1))
    started = time.monotonic()
    assert _probe()[::2] == (503, b"channel layer unavailable\n")
    # Answered at the deadline; the hung check's thread is left to finish on its own.
    assert ANSWERED[0] - started < 0.9


def test_every_other_path_goes_to_django():
    assert _probe("/healthz/")[::2] == (400, b"Django")
    assert _probe("/")[::2] == (400, b"Django")
