"""``/healthz``: whether this replica serves and reaches its database, for a load balancer or an
orchestrator that probes each replica by its address.

It is answered in front of Django (an ASGI wrapper): Django would refuse a probe by IP (400, the
host is not in ``ALLOWED_HOSTS``) or redirect it to https (301), and a replica whose request
places are all taken should still say it is alive. The answer is plain text and names nothing:
200 ``ok`` when ``SELECT 1`` answers, else 503 ``database unavailable``.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection

from tandem.core.body_limit import ASGIApp, Receive, Scope, Send

PATH = "/healthz"


def _database_answers() -> bool:
    """One ``SELECT 1`` on a connection of the probe's own thread, closed after: a probe
    every few seconds holds no connection between probes."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
    finally:
        connection.close()


async def _answer(scope: Scope, send: Send) -> None:
    if scope.get("method") not in ("GET", "HEAD"):
        status, body, extra = 405, b"GET or HEAD only\n", [(b"allow", b"GET, HEAD")]
    elif await sync_to_async(_database_answers, thread_sensitive=False)():
        status, body, extra = 200, b"ok\n", []
    else:
        status, body, extra = 503, b"database unavailable\n", []
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
