"""Websockets only from Tandem's own pages: the handshake's ``Origin`` must name the host and
port of its ``Host`` (or be one of ``CSRF_TRUSTED_ORIGINS``), as Django's CSRF check holds a
form post. Channels' ``AllowedHostsOriginValidator`` compares the host name alone, so a page
served from any other port of an allowed host (``http://127.0.0.1:9999``, which the browser
gives the same cookies) opened a signed-in person's socket and read their live events
(live websocket review)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.utils.http import is_same_domain

DEFAULT_PORTS = (None, 80, 443)


def _host_and_port(netloc: str) -> tuple[str, int | None] | None:
    """``("example.org", 8000)`` from ``example.org:8000``; a default port reads as None."""
    try:
        parts = urlsplit("//" + netloc)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    return parts.hostname, (None if port in DEFAULT_PORTS else port)


def _trusted(origin: str) -> bool:
    """Whether ``origin`` is one of ``CSRF_TRUSTED_ORIGINS``, read as Django's CSRF check reads
    them: ``https://*.example.org`` trusts every subdomain of example.org on https."""
    scheme, _, netloc = origin.partition("://")
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        their_scheme, _, pattern = trusted.partition("://")
        if origin == trusted or (
            pattern.startswith("*.")
            and scheme == their_scheme
            and is_same_domain(netloc, pattern[1:])
        ):
            return True
    return False


def same_origin(origin: str, host: str) -> bool:
    """Whether a handshake's ``Origin`` is the site its ``Host`` names (or a trusted one)."""
    if _trusted(origin):
        return True
    scheme, _, netloc = origin.partition("://")
    if scheme not in ("http", "https") or "/" in netloc:
        return False
    theirs, ours = _host_and_port(netloc), _host_and_port(host)
    return theirs is not None and theirs == ours


def same_origin_sockets(app: Any) -> Any:
    """Wrap the websocket application: a socket from another origin is refused (403)."""

    async def guarded(scope: Any, receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers") or ())
        origin = headers.get(b"origin", b"").decode("latin1")
        host = headers.get(b"host", b"").decode("latin1")
        if not same_origin(origin, host):
            return await WebsocketDenier()(scope, receive, send)
        return await app(scope, receive, send)

    return guarded
