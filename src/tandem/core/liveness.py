"""``/healthz``: whether this replica serves and reaches what it needs, for a load balancer or an
orchestrator that probes each replica by its address.

It is answered in front of Django (an ASGI wrapper): Django would refuse a probe by IP (400, the
host is not in ``ALLOWED_HOSTS``) or redirect it to https (301), and a replica whose request
places are all taken should still say it is alive. The answer is plain text: 200 ``ok`` when
the database, the cache and the channel layer all answer, else 503 with a line per one that
does not (``cache unavailable``). It names no address and no error: those may hold a password.

It used to ask the database alone and answered 200 while Redis (``REDIS_URL``: the cache that
log-ins count in, and the channel layer) was down, so a replica that failed every log-in stayed
in the pool (a deployment's check). The dependencies are asked at once, each given
:data:`TIMEOUT` seconds, so a hung one makes the answer a 503 in that time, not a hung probe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import cast

import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from tandem.core.body_limit import ASGIApp, Receive, Scope, Send

PATH = "/healthz"
TIMEOUT = 2.0  # seconds each dependency has to answer
PROBE_KEY = "tandem:healthz"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"

logger = logging.getLogger(__name__)


def _database_answers() -> None:
    """One ``SELECT 1`` on a connection of the probe's own thread, closed after: a probe
    every few seconds holds no connection between probes."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def _cache_answers() -> None:
    """Redis's PING for a Redis cache (Django's client would wait for a lost Redis as long as
    the operating system lets it); a read of the table for the database cache, which is gone
    until ``migrate`` makes it again."""
    config = settings.CACHES["default"]
    if config["BACKEND"] == REDIS_CACHE:
        for url in _redis_urls(cast(str | list[str], config["LOCATION"])):
            _redis_answers(url)
        return
    try:
        caches["default"].get(PROBE_KEY)
    finally:
        connection.close()


def _channel_layer_answers() -> None:
    """PING to each Redis of a channels_redis layer; an in-memory layer has nothing to reach."""
    config = settings.CHANNEL_LAYERS.get("default", {})
    if not config.get("BACKEND", "").startswith("channels_redis."):
        return
    for host in config.get("CONFIG", {}).get("hosts", []):
        address = host.get("address") if isinstance(host, dict) else host
        if isinstance(address, list | tuple):
            address = "redis://{}:{}".format(*address)
        _redis_answers(str(address))


def _redis_urls(location: str | Iterable[str]) -> list[str]:
    if isinstance(location, str):
        location = location.replace(";", ",").split(",")
    return [url.strip() for url in location if url.strip()]


def _redis_answers(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


DEPENDENCIES: dict[str, Callable[[], None]] = {
    "database": _database_answers,
    "cache": _cache_answers,
    "channel layer": _channel_layer_answers,
}


async def _fails(name: str, check: Callable[[], None]) -> bool:
    try:
        await asyncio.wait_for(sync_to_async(check, thread_sensitive=False)(), TIMEOUT)
    except Exception as error:  # noqa: BLE001 - whatever it is, the replica cannot serve
        reason = "no answer in time" if isinstance(error, TimeoutError) else type(error).__name__
        logger.warning("Health check: the %s is unavailable (%s)", name, reason)
        return True
    return False


async def unavailable() -> list[str]:
    """The dependencies that did not answer, in :data:`DEPENDENCIES`' order."""
    failed = await asyncio.gather(*(_fails(name, check) for name, check in DEPENDENCIES.items()))
    return [name for name, fails in zip(DEPENDENCIES, failed, strict=True) if fails]


async def _answer(scope: Scope, send: Send) -> None:
    extra: list[tuple[bytes, bytes]] = []
    if scope.get("method") not in ("GET", "HEAD"):
        status, body, extra = 405, b"GET or HEAD only\n", [(b"allow", b"GET, HEAD")]
    elif failed := await unavailable():
        status, body = 503, "".join(f"{name} unavailable\n" for name in failed).encode()
    else:
        status, body = 200, b"ok\n"
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def answer_health_checks(app: ASGIApp) -> ASGIApp:
    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH:
            await _answer(scope, send)
        else:
            await app(scope, receive, send)

    return application
