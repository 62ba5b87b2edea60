"""An operation that takes no body refuses one (``tandem.api._refuse_body``), as an unknown field
of a body is refused: a 422 naming each field sent, or saying the operation takes no body.

An API review sent ``POST /api/notifications/read-all {"before_id": 5}``: 200, and every
notification was marked read, not those before 5; ``null``, ``[1]`` and ``{"foo": 1}`` to
``calendar-feed/regenerate`` were taken too, and the feed's address changed. The sweep walks
every operation of the published schema without a request body, so a new one cannot forget.
"""

from __future__ import annotations

import json
import re

import pytest

from tandem.api import NO_BODY, UNKNOWN_FIELD, api
from tandem.notify import services as notify_services
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "zz_not_a_field"


def _no_body_operations() -> list[tuple[str, str]]:
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            if method in ("post", "put", "patch", "delete") and "requestBody" not in operation:
                found.append((method.upper(), path))
    return sorted(found)


NO_BODY_OPERATIONS = _no_body_operations()


def test_the_sweep_sees_the_reviews_operations():
    assert ("POST", "/api/notifications/read-all") in NO_BODY_OPERATIONS
    assert ("POST", "/api/mentorships/calendar-feed/regenerate") in NO_BODY_OPERATIONS
    assert ("DELETE", "/api/people/me/identity") in NO_BODY_OPERATIONS
    # An upload documents its body itself: not one of these.
    assert ("POST", "/api/programs/{slug}/import") not in NO_BODY_OPERATIONS


@pytest.mark.parametrize(("method", "path"), NO_BODY_OPERATIONS)
def test_every_operation_without_a_body_refuses_one_by_its_fields(client, method, path):
    """Checked before the operation runs: any signed-in caller and any id will do."""
    client.force_login(UserFactory())
    url = re.sub(r"\{[a-z_]+\}", "1", path)
    body = json.dumps({UNKNOWN: 1, "before_id": 5})
    response = client.generic(method, url, body, content_type="application/json")
    assert response.status_code == 422, (response.status_code, response.content)
    assert response.json()["fields"] == {UNKNOWN: UNKNOWN_FIELD, "before_id": UNKNOWN_FIELD}


@pytest.mark.parametrize("body", ["null", "[1]", '"x"', "5", "not json", "a=1"])
def test_a_body_that_is_no_object_is_refused(client, body):
    user = UserFactory()
    client.force_login(user)
    feed_before = client.get("/api/mentorships/calendar-feed").json()
    response = client.post(
        "/api/mentorships/calendar-feed/regenerate", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {"detail": NO_BODY, "fields": {"__all__": NO_BODY}}
    assert client.get("/api/mentorships/calendar-feed").json() == feed_before


def _notes(user, n=3):
    return [
        notify_services.notify_send(recipient=user, kind=Kind.MEETING, title=f"{i}", url="/")
        for i in range(n)
    ]


def test_read_all_with_a_filter_it_does_not_take_marks_nothing(client):
    user = UserFactory()
    _notes(user)
    client.force_login(user)
    response = client.post(
        "/api/notifications/read-all", {"before_id": 5}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"before_id": UNKNOWN_FIELD}
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 3


@pytest.mark.parametrize("body", ["", "{}", " \n", "{ }"])
def test_no_body_or_an_empty_object_is_taken(client, body):
    user = UserFactory()
    _notes(user)
    client.force_login(user)
    response = client.post("/api/notifications/read-all", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"marked": 3}


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", ""])
def test_an_empty_object_is_taken_whatever_its_content_type(client, content_type):
    """Code review: since the parser refuses a body that is not declared JSON, ``{}`` sent as
    text/plain was a 422 whose message says to send none or ``{}``."""
    user = UserFactory()
    _notes(user)
    client.force_login(user)
    response = client.post("/api/notifications/read-all", "{ }", content_type=content_type)
    assert response.status_code == 200, response.content
    assert response.json() == {"marked": 3}


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "application/x-www-form-urlencoded"]
)
def test_a_form_with_fields_is_refused_by_them_and_an_empty_one_taken(client, content_type):
    client.force_login(UserFactory())
    url = "/api/notifications/read-all"
    if content_type == "multipart/form-data":
        response = client.post(url, {"before_id": "5"})
        assert client.post(url).status_code == 200  # a multipart body of no parts
    else:
        response = client.post(url, "before_id=5", content_type=content_type)
        assert client.post(url, "", content_type=content_type).status_code == 200
    assert response.status_code == 422
    assert response.json()["fields"] == {"before_id": UNKNOWN_FIELD}


def test_authentication_comes_first(client):
    response = client.post(
        "/api/notifications/read-all", {"before_id": 5}, content_type="application/json"
    )
    assert response.status_code == 401
