"""A download too big to hold in memory (a program's participants), and the static files,
streamed under WSGI and ASGI alike.

Django serves a ``StreamingHttpResponse`` under ASGI by iterating it asynchronously; given a
plain iterator it warns ("StreamingHttpResponse must consume synchronous iterators in order to
serve them asynchronously") and reads the whole body into a list first, so the export it was
meant to stream sat in memory. Under ASGI the lines are therefore handed over as an
asynchronous iterator that reads a batch at a time in the request's own thread (the one its
view ran in, so the database connection is the view's); under WSGI and the test client they
stay the plain iterator they were.

Static files: WhiteNoise answers with a ``FileResponse`` that reads its file synchronously, so
under ASGI every static file drew the same warning and was read whole first;
``serve_file_asynchronously`` gives the response an asynchronous iterator over the file instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import islice
from typing import IO

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest, StreamingHttpResponse

# Lines read per hop to the request's thread, and sent as one chunk.
BATCH = 500
# Bytes of a static file read per hop to a worker thread, and sent as one chunk.
FILE_CHUNK = 64 * 1024


async def _in_batches(lines: Iterator[str], size: int) -> AsyncIterator[str]:
    take = sync_to_async(lambda: list(islice(lines, size)), thread_sensitive=True)
    try:
        while batch := await take():
            yield "".join(batch)
    finally:
        # A client that goes away mid-download: the lines' query ends in its own thread.
        close = getattr(lines, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=True)()


def streamed_download(
    request: HttpRequest, lines: Iterator[str], *, content_type: str, filename: str
) -> StreamingHttpResponse:
    """``lines`` as an attachment named ``filename``, never read whole into memory."""
    content = _in_batches(lines, BATCH) if isinstance(request, ASGIRequest) else lines
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def _file_chunks(file: IO[bytes], size: int) -> AsyncIterator[bytes]:
    # Any worker thread may read a file: the request's own thread stays free.
    read = sync_to_async(file.read, thread_sensitive=False)
    try:
        while chunk := await read(size):
            yield chunk
    finally:
        await sync_to_async(file.close, thread_sensitive=False)()


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield  # pragma: no cover - makes this an (empty) asynchronous generator


def serve_file_asynchronously(response: FileResponse) -> None:
    """Let an ASGI server send ``response`` without reading it synchronously: its file (none for
    a HEAD request or a 304) becomes an asynchronous iterator of ``FILE_CHUNK`` bytes."""
    file = response.file_to_stream
    response.streaming_content = _file_chunks(file, FILE_CHUNK) if file is not None else _nothing()
