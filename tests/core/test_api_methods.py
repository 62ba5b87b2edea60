"""HEAD wherever GET works, and the right status for a method an address does not take
(``tandem.core.api_methods``, ``tandem.api.TandemAPI``).

An API review found ``HEAD /api/people/me`` answering 405 (``Allow: PATCH, GET``), and POST,
PUT and DELETE on ``/api/``, ``/api/docs`` and ``/api/openapi.json`` answering 403
"Forbidden" with a valid token: Django's CSRF check refused them before the address could say
it takes only GET.
"""

from __future__ import annotations

import asyncio
import re
import warnings

import pytest
from asgiref.sync import async_to_sync
from django.core.handlers.asgi import ASGIHandler
from django.test import Client

from tandem.api import api
from tandem.core.middleware import API_METHOD_NOT_ALLOWED, API_NOT_FOUND
from tandem.people.services import api_token_create
from tests.people.factories import ProfileFactory, UserFactory
from tests.programs.factories import EnrolmentFactory, ProgramFactory, admin_of

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _get_operations() -> list[str]:
    schema = api.get_openapi_schema()["paths"]
    return sorted(path for path, methods in schema.items() if "get" in methods)


GET_PATHS = _get_operations()


def _same_but_body(got, head) -> None:
    assert head.status_code == got.status_code
    if not head.streaming:
        assert head.content == b""
    for header in ("Content-Type", "Content-Length", "Content-Disposition", "Cache-Control"):
        assert head.get(header) == got.get(header), header


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_get_operation_answers_head_as_its_get_without_the_body(path):
    """Any id will do: a 404 is answered to HEAD as to GET, and so is a 200."""
    client = Client(**bearer(ProfileFactory().user))
    url = re.sub(r"\{[a-z_]+\}", "1", path)
    _same_but_body(client.get(url), client.head(url))


def test_head_on_ones_profile_has_the_length_of_the_get():
    client = Client(**bearer(ProfileFactory(headline="Head").user))
    got, head = client.get("/api/people/me"), client.head("/api/people/me")
    assert got.status_code == head.status_code == 200
    assert head["Content-Length"] == str(len(got.content)) and head.content == b""
    assert client.head("/api/openapi.json").status_code == 200


def test_head_on_a_streamed_export_reads_no_row():
    program = ProgramFactory()
    EnrolmentFactory(program=program)
    client = Client(**bearer(admin_of(program)))
    url = f"/api/programs/{program.slug}/export"
    got, head = client.get(url), client.head(url)
    assert b"".join(got.streaming_content)
    _same_but_body(got, head)
    assert b"".join(head.streaming_content) == b""


@pytest.mark.django_db(transaction=True)
def test_head_on_a_streamed_export_under_asgi_without_the_warning():
    """Served by Django's ASGI handler itself: the test clients empty a HEAD's streamed body
    with a list of their own, which is what warns. Its threads read the rows committed."""
    program = ProgramFactory()
    client = Client()
    client.force_login(admin_of(program))
    cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    scope = {
        "type": "http",
        "method": "HEAD",
        "path": f"/api/programs/{program.slug}/export",
        "query_string": b"",
        "headers": [(b"cookie", cookie.encode()), (b"host", b"testserver")],
    }
    sent: list[dict] = []
    bodies = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if bodies:
            return bodies.pop()
        await asyncio.Event().wait()  # no disconnect: cancelled once the answer is sent

    async def send(message):
        sent.append(message)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async_to_sync(ASGIHandler())(scope, receive, send)
    assert not [w for w in caught if "must consume synchronous iterators" in str(w.message)]
    assert sent[0]["status"] == 200
    assert b"".join(message.get("body", b"") for message in sent[1:]) == b""


def test_head_where_there_is_no_get_is_a_405_naming_head():
    client = Client(**bearer(UserFactory()))
    response = client.head("/api/notifications/read-all")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert client.post("/api/notifications/read-all").status_code == 200


def test_allow_names_head_beside_get():
    client = Client(**bearer(ProfileFactory().user))
    response = client.put("/api/people/me", "{}", content_type="application/json")
    assert response.status_code == 405
    allowed = {method.strip() for method in response["Allow"].split(",")}
    assert allowed == {"PATCH", "GET", "HEAD"}
    assert response.json()["detail"] == API_METHOD_NOT_ALLOWED.format(
        method="PUT", allowed=response["Allow"]
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_the_docs_and_the_schema_take_only_get(method, path):
    """A client checking CSRF as browsers are checked: a token needs no CSRF cookie."""
    client = Client(enforce_csrf_checks=True, **bearer(UserFactory()))
    response = client.generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "detail": API_METHOD_NOT_ALLOWED.format(method=method, allowed="GET, HEAD"),
        "fields": {},
    }


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_the_api_root_is_not_found(method):
    client = Client(enforce_csrf_checks=True, **bearer(UserFactory()))
    response = client.generic(method, "/api/", "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": API_NOT_FOUND, "fields": {}}


def test_a_session_still_needs_its_csrf_token_for_an_operation():
    """The operations check CSRF themselves (for a session): not lifted with Django's check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post("/api/notifications/read-all").status_code == 403
