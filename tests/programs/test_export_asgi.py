"""The participant export streams under ASGI too (``core.streaming.streamed_download``).

A review found Django warning "StreamingHttpResponse must consume synchronous iterators in
order to serve them asynchronously" on every CSV export served by the ASGI server: it read the
whole export into memory before sending a byte. Django's async client serves a request as the
ASGI handler does (an ``ASGIRequest``, the response read with ``aiter``), so the warning shows
here; the body must be the one the sync client (as under WSGI) streams.
"""

from __future__ import annotations

import warnings

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, AsyncRequestFactory
from django.urls import reverse

from tandem.core import streaming
from tandem.programs.models import Role
from tests.programs.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SYNC_ITERATOR = "must consume synchronous iterators"


def _urls(program) -> list[str]:
    return [
        reverse("program_export", args=[program.slug]),
        f"/api/programs/{program.slug}/export",
    ]


@async_to_sync
async def _fetch_async(client: AsyncClient, url: str):
    """The response and its chunks, read as Django's ASGI handler reads them."""
    response = await client.get(url)
    return response, [chunk async for chunk in response]


def _people(program, count: int) -> None:
    for n in range(count):
        role = Role.MENTOR if n % 2 else Role.MENTEE
        EnrolmentFactory(program=program, role=role, person=UserFactory(email=f"p{n}@example.org"))


@pytest.mark.parametrize("which", [0, 1], ids=["page", "api"])
def test_the_export_streams_under_asgi_without_the_warning_and_the_same_body(
    client, program, admin, monkeypatch, which
):
    _people(program, 7)
    monkeypatch.setattr(streaming, "BATCH", 3)  # several chunks from a small program
    url = _urls(program)[which]
    client.force_login(admin)
    synchronous = client.get(url)
    assert synchronous.status_code == 200 and not synchronous.is_async
    expected = b"".join(synchronous.streaming_content)
    assert expected.decode("utf-8-sig").count("@example.org") >= 7

    async_client = AsyncClient()
    async_client.force_login(admin)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response, chunks = _fetch_async(async_client, url)
    assert not [w for w in caught if SYNC_ITERATOR in str(w.message)]
    assert response.status_code == 200 and response.is_async
    assert response["Content-Disposition"] == synchronous["Content-Disposition"]
    assert response["Content-Type"] == synchronous["Content-Type"]
    assert b"".join(chunks) == expected
    assert len(chunks) > 2  # read and sent a batch at a time, not whole


@async_to_sync
async def _get_async(client: AsyncClient, url: str):
    return await client.get(url)


@pytest.mark.django_db(transaction=True)
def test_a_participant_gets_no_export_under_asgi(program):
    """The same 404 as under WSGI: access is checked before anything streams. Committed
    rows: the 404 page is drawn in the ASGI handler's own thread, whose navigation asks
    whether the person ever joined a program, and the in-memory SQLite of a test
    transaction keeps that table locked against other threads."""
    participant = UserFactory()
    EnrolmentFactory(program=program, person=participant, role=Role.MENTEE)
    async_client = AsyncClient()
    async_client.force_login(participant)
    for url in _urls(program):
        assert _get_async(async_client, url).status_code == 404, url


def test_a_download_left_mid_way_closes_its_lines(monkeypatch):
    """A client that goes away: the lines (a query's iterator) are closed, not left open."""
    monkeypatch.setattr(streaming, "BATCH", 3)
    closed = []

    def lines():
        try:
            yield from (f"{n}\n" for n in range(10))
        finally:
            closed.append(True)

    @async_to_sync
    async def first_chunk_then_leave(response):
        chunks = aiter(response)
        first = await anext(chunks)
        await chunks.aclose()
        return first

    request = AsyncRequestFactory().get("/")
    response = streaming.streamed_download(
        request, lines(), content_type="text/plain", filename="x.txt"
    )
    assert first_chunk_then_leave(response) == b"0\n1\n2\n"
    assert closed == [True]
