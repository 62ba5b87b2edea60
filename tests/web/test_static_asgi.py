"""Static files under ASGI (``core.middleware.StaticFilesMiddleware``).

WhiteNoise answers with a ``FileResponse`` that reads its file synchronously: the ASGI server
(``tandem serve``, uvicorn) warned "StreamingHttpResponse must consume synchronous iterators in
order to serve them asynchronously" and read each file whole first. Django's async client reads
a response as the ASGI handler does (``aiter``), so the warning shows here.
"""

from __future__ import annotations

import warnings

from asgiref.sync import async_to_sync
from django.contrib.staticfiles import finders
from django.test import AsyncClient, AsyncRequestFactory

from tandem.core import streaming
from tandem.core.middleware import StaticFilesMiddleware

SYNC_ITERATOR = "must consume synchronous iterators"
STYLESHEET = "/static/web/tandem.css"


@async_to_sync
async def _fetch(path: str):
    response = await AsyncClient().get(path)
    return response, [chunk async for chunk in response]


def _fetched_without_the_warning(path: str):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response, chunks = _fetch(path)
    assert not [w for w in caught if SYNC_ITERATOR in str(w.message)]
    assert response.is_async
    return response, chunks


def test_a_static_file_streams_under_asgi_in_chunks_with_its_exact_bytes(monkeypatch):
    monkeypatch.setattr(streaming, "FILE_CHUNK", 1024)
    with open(finders.find("web/tandem.css"), "rb") as stylesheet:
        expected = stylesheet.read()
    response, chunks = _fetched_without_the_warning(STYLESHEET)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert int(response["Content-Length"]) == len(expected)
    assert b"".join(chunks) == expected
    assert len(chunks) == -(-len(expected) // 1024)  # read a chunk at a time, not whole


@async_to_sync
async def _served(request):
    """The middleware's own answer (the test client would replace a HEAD's or a 304's body
    with a plain list before the handler reads it)."""
    response = StaticFilesMiddleware(get_response=None)(request)
    return response, [chunk async for chunk in response]


def test_head_and_not_modified_are_asynchronous_and_send_no_body():
    requests = AsyncRequestFactory()
    response, chunks = _served(requests.head(STYLESHEET))
    assert response.status_code == 200 and response.is_async and chunks == []
    modified = requests.get(STYLESHEET, headers={"if-none-match": response["ETag"]})
    response, chunks = _served(modified)
    assert response.status_code == 304 and response.is_async and chunks == []
