"""HEAD wherever GET works, for every address of the API (``tandem.api`` wraps each one).

ninja dispatches on the method alone, so a ``HEAD`` answered 405 where a ``GET`` answered 200
(RFC 9110 9.3.2: a server answers HEAD as it answers GET, without the body; link checkers and
monitoring probes send it). Here a HEAD runs as the GET: the same status and headers, the
body's ``Content-Length`` kept, the body dropped (a streamed download's rows are never read).
An address that takes no GET answers the 405 of a HEAD, and ``Allow`` names HEAD beside GET.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

View = Callable[..., HttpResponseBase]


def _allow_with_head(response: HttpResponseBase) -> None:
    allowed = [method.strip() for method in response.get("Allow", "").split(",") if method.strip()]
    if "GET" in allowed and "HEAD" not in allowed:
        response["Allow"] = ", ".join([*allowed, "HEAD"])


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield  # pragma: no cover  (makes this an async generator)


def _without_body(response: HttpResponseBase) -> None:
    if response.streaming:
        # The handler closes the generator it replaces (a download's query never runs); an
        # asynchronous one is replaced by another, so ASGI serves it without a warning.
        is_async = response.is_async  # type: ignore[attr-defined]
        response.streaming_content = _nothing() if is_async else iter(())  # type: ignore[attr-defined]
        return
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
    response.content = b""  # type: ignore[attr-defined]


def answering_head(view: View) -> View:
    """``view`` (one of the API's addresses), answering HEAD as its GET without the body."""

    @wraps(view)
    def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "HEAD":
            response = view(request, *args, **kwargs)
        else:
            request.method = "GET"
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
            if response.status_code == 405:
                # No GET here: the 405 is the HEAD's own (its message names HEAD).
                response = view(request, *args, **kwargs)
            _without_body(response)
        if response.status_code == 405:
            _allow_with_head(response)
        return response

    return answered
