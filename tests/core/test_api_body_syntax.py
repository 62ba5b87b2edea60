"""A JSON body is read as JSON only when its ``Content-Type`` says ``application/json``, and it
is refused in words that say where it is wrong (``tandem.api.JsonObjectParser``).

A live API review on PostgreSQL sent ``{"title": "a\\u0000"}`` as ``text/plain`` (and with no
``Content-Type``, and as ``application/vnd.api+json``): ninja read it as JSON all the same, but
the guard against NUL and lone surrogates reads ``application/json`` bodies only, so the text
reached the database and the answer was a 500. The same review found ``{"title": "a",
"title": "b"}`` saved "b" without a word, and a body that is not JSON answered "Cannot parse
request body" naming nothing.
"""

from __future__ import annotations

import json
import re

import pytest

from tandem.api import (
    BODY_MISSING,
    BODY_NOT_JSON,
    BODY_NOT_JSON_TYPE,
    BODY_NOT_UTF8,
    BODY_TOO_DEEP,
    NO_BODY,
    REPEATED_FIELD,
)
from tests.core.api_bodies import json_bodies
from tests.mentorships.factories import UserFactory
from tests.untouched import row_of

pytestmark = pytest.mark.django_db

JSON_BODY_OPERATIONS = sorted({(method, path) for method, path, _ in json_bodies()})


@pytest.fixture
def me(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _patch_me(client, body, content_type):
    return client.generic("PATCH", "/api/people/me", body, content_type=content_type)


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain", "`text/plain`"),
        ("application/x-www-form-urlencoded", "`application/x-www-form-urlencoded`"),
        ("application/vnd.api+json", "`application/vnd.api+json`"),
        ("", "no Content-Type"),
    ],
)
@pytest.mark.parametrize("text", ["a\u0000b", "a\ud800b", "Data person"])
def test_a_json_body_sent_as_another_type_is_a_415_and_changes_nothing(
    client, me, content_type, named, text
):
    before = row_of(me.profile)
    body = json.dumps({"headline": text})  # \u0000 and \ud800 escaped, as a client sends them
    response = _patch_me(client, body, content_type)
    message = BODY_NOT_JSON_TYPE.format(kind=named)
    assert response.status_code == 415, response.content
    assert response.json() == {"detail": message, "fields": {"__all__": message}}
    assert row_of(me.profile) == before


def test_a_json_content_type_with_a_charset_is_still_json(client, me):
    body = json.dumps({"headline": "Data person"})
    response = _patch_me(client, body, "application/json; charset=utf-8")
    assert response.status_code == 200, response.content
    me.profile.refresh_from_db()
    assert me.profile.headline == "Data person"


@pytest.mark.parametrize(("method", "path"), JSON_BODY_OPERATIONS)
def test_every_operation_with_a_json_body_refuses_another_type(client, me, method, path):
    """Checked before the operation runs: any signed-in caller and any id will do."""
    url = re.sub(r"\{[a-z_]+\}", "1", path)
    response = client.generic(method, url, '{"x": "a\\u0000"}', content_type="text/plain")
    assert response.status_code == 415, (response.status_code, response.content)
    assert set(response.json()["fields"]) == {"__all__"}


def test_a_repeated_field_is_a_422_naming_it_and_changes_nothing(client, me):
    before = row_of(me.profile)
    response = _patch_me(client, '{"headline": "first", "headline": "second"}', "application/json")
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {"headline": REPEATED_FIELD}
    assert row_of(me.profile) == before


@pytest.mark.parametrize(
    ("body", "error", "column"),
    [
        ('{"headline": "x"', "Expecting ',' delimiter", 17),
        ('{"headline": "x"} trailing', "Extra data", 19),
    ],
)
def test_a_body_that_is_not_json_says_where_on_the_body(client, me, body, error, column):
    before = row_of(me.profile)
    response = _patch_me(client, body, "application/json")
    message = BODY_NOT_JSON.format(error=error, line=1, column=column)
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": message, "fields": {"__all__": message}}
    assert row_of(me.profile) == before


def test_a_body_that_is_not_utf8_says_so(client, me):
    response = _patch_me(client, b'{"headline": "\xff"}', "application/json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"__all__": BODY_NOT_UTF8}


def test_no_body_where_one_is_needed_says_to_send_one(client, me):
    """Even when all its fields are optional: ``POST .../decline`` without a body answered
    ``{"__all__": "Field required"}``, of no field."""
    response = client.post("/api/mentorships/requests/1/decline", "", content_type="text/plain")
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {"__all__": BODY_MISSING}


def _nested(depth: int, leaf: str) -> str:
    return '{"headline": ' + "[" * depth + leaf + "]" * depth + "}"


@pytest.mark.parametrize("leaf", ["1", '"\\u0000"'])
@pytest.mark.parametrize("depth", [500, 100_000])
def test_a_body_nested_too_deeply_says_so_and_changes_nothing(client, me, leaf, depth):
    """A live API fuzz on PostgreSQL sent lists nested 100,000 deep: Python's JSON decoder
    gives up with a RecursionError, not a ValueError, so the NUL guard (a leaf ``"\\u0000"``)
    answered a 500 and the parser "Cannot parse request body"."""
    before = row_of(me.profile)
    response = _patch_me(client, _nested(depth, leaf), "application/json")
    assert response.status_code in (400, 422), response.content
    if depth > 1_000:
        assert response.json() == {"detail": BODY_TOO_DEEP, "fields": {"__all__": BODY_TOO_DEEP}}
    assert row_of(me.profile) == before


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_deeply_nested_body_to_an_operation_that_takes_none_is_refused(client, me, content_type):
    """The check for "no body" read it as JSON first: a 500 on the live server."""
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/notifications/read-all", body, content_type=content_type)
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {"__all__": NO_BODY}
