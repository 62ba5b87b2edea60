"""Refuse an oversized HTTP request before its body is read.

Django's ASGI handler reads the whole body (into a temporary file) before any middleware or
view runs, so a limit checked there comes after the bytes have arrived. This ASGI wrapper runs
first: a request whose ``Content-Length`` is over ``settings.MAX_REQUEST_BYTES`` gets a 413 at
once, naming the limit (JSON under ``/api/``), and a body sent without a length (chunked) is
cut off as soon as it passes the limit. The largest legitimate body is a participant file
(``programs.importing.MAX_UPLOAD_BYTES``, 5 MB) plus its form fields.
"""

from __future__ import annotations

import json

REQUEST_TOO_LARGE = (
    "The request is {size:.1f} MB; the limit is {limit:.0f} MB. Send a smaller file "
    "(participant files: at most 5 MB; split larger ones)."
)


def limit_request_body(app, *, max_bytes: int):
    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > max_bytes:
            return await _refuse(scope, send, declared, max_bytes)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:  # no or a false Content-Length: stop reading
                    return {"type": "http.disconnect"}
            return message

        return await app(scope, counted, send)

    return guarded


async def _refuse(scope, send, size: int, limit: int) -> None:
    message = REQUEST_TOO_LARGE.format(size=size / 1024 / 1024, limit=limit / 1024 / 1024)
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"detail": message, "fields": {}}).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
