"""Every answer under /api/ is JSON, errors in the one error body (``ErrorOut``, as
``ApplicationError.as_dict``): a live review found unknown paths and 500s answering with the
site's HTML error page, 405 with plain text, and a body that is not a JSON object (``[]``,
``"x"``, ``null``) taken as an empty one, so ``PATCH /api/people/me`` said 200 and did
nothing."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.test import Client

from tandem.api import BODY_NOT_AN_OBJECT
from tandem.core.middleware import API_METHOD_NOT_ALLOWED, API_NOT_FOUND, API_SERVER_ERROR
from tandem.people import selectors
from tests.mentorships.factories import UserFactory
from tests.untouched import row_of

pytestmark = pytest.mark.django_db

SECRET = "boom: SELECT secret FROM the_database"


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "fields"}
    return body


@pytest.fixture
def me(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("body", "kind"),
    [("[]", "a list"), ('"x"', "a text"), ("null", "null"), ("[1,2]", "a list"), ("7", "a number")],
)
def test_a_body_that_is_not_an_object_is_a_422_and_changes_nothing(client, me, body, kind):
    before = row_of(me.profile)
    response = client.patch("/api/people/me", body, content_type="application/json")
    message = BODY_NOT_AN_OBJECT.format(kind=kind)
    assert _error(response, 422) == {"detail": message, "fields": {"__all__": message}}
    assert row_of(me.profile) == before


def test_an_object_body_still_changes_the_profile(client, me):
    response = client.patch(
        "/api/people/me", json.dumps({"headline": "Data person"}), content_type="application/json"
    )
    assert response.status_code == 200
    me.profile.refresh_from_db()
    assert me.profile.headline == "Data person"


def test_a_body_that_is_not_json_is_a_400_in_the_error_body(client, me):
    response = client.patch("/api/people/me", "{nope", content_type="application/json")
    assert set(_error(response, 400)["fields"]) == {"__all__"}


@pytest.mark.parametrize("path", ["/api/nope", "/api/people/me/nope/", "/api/mentorships/x/y/z"])
def test_an_unknown_api_path_is_a_json_404(client, me, path):
    assert _error(client.get(path), 404) == {"detail": API_NOT_FOUND, "fields": {}}


def test_an_unknown_api_path_is_a_json_404_signed_out_too(client):
    assert _error(client.get("/api/nope"), 404)["detail"] == API_NOT_FOUND


def test_a_method_the_path_does_not_take_is_a_json_405(client, me):
    response = client.delete("/api/people/me")
    body = _error(response, 405)
    assert body["detail"] == API_METHOD_NOT_ALLOWED.format(
        method="DELETE", allowed=response["Allow"]
    )
    assert {"GET", "PATCH"} <= {m.strip() for m in response["Allow"].split(",")}


def test_pages_outside_the_api_keep_their_html_404(client, me):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_inside_the_api_is_a_json_500_without_the_traceback(
    me, monkeypatch, settings, debug
):
    def crash(**kwargs):
        raise RuntimeError(SECRET)

    settings.DEBUG = debug
    monkeypatch.setattr(selectors, "profile_get_own", crash)
    client = Client(raise_request_exception=False)
    client.force_login(me)
    response = client.get("/api/people/me")
    assert _error(response, 500) == {"detail": API_SERVER_ERROR, "fields": {}}
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content


def test_a_missing_object_raised_as_http404_is_the_error_body(client, me, monkeypatch):
    def missing(**kwargs):
        raise Http404("gone")

    monkeypatch.setattr(selectors, "profile_get_own", missing)
    assert _error(client.get("/api/people/me"), 404)["fields"] == {}
