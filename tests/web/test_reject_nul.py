"""Regression (found by tests/web/test_api_schemathesis.py on PostgreSQL): a NUL character in
a path, a query string or a JSON body was a 500, since PostgreSQL cannot hold U+0000 in text
or jsonb. It is now a 400 before any query runs, and nothing is written."""

import json

import pytest

from tandem.core.middleware import NUL_NOT_ALLOWED
from tandem.people.models import ApiToken, Identity, Profile
from tandem.people.services import api_token_create
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth():
    token, secret = api_token_create(user=UserFactory(), name="nul")
    return token.user, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/people/skills?q=%00", {"q": NUL_NOT_ALLOWED}),
        # A path parameter is named as a schema error names it (it was {}).
        ("/api/programs/a%00b", {"path.slug": NUL_NOT_ALLOWED}),
        ("/api/match-runs/a%00b/runs/1/constraints", {"path.slug": NUL_NOT_ALLOWED}),
        ("/api/insights/health/a%00b/csv", {"path.table": NUL_NOT_ALLOWED}),
        ("/api/no-such-address/a%00b", {}),
        ("/api/people/skills?a%00=1", {"a\x00": NUL_NOT_ALLOWED}),
    ],
)
def test_api_read_with_nul_is_a_json_400(client, auth, url, fields):
    response = client.get(url, **auth[1])
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_NOT_ALLOWED, "fields": fields}


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/people/me", {"headline": "a\u0000b"}),
        (
            "put",
            "/api/people/me/identity",
            {"attributes": ["\u0000"], "consent": True},
        ),
        ("post", "/api/people/me/tokens", {"name": "x", "nested": [{"\u0000": 1}]}),
    ],
)
def test_api_write_with_nul_is_refused_and_writes_nothing(client, auth, method, url, body):
    user, headers = auth
    response = getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert not Profile.objects.filter(user=user, headline__contains="a").exists()
    assert not Identity.objects.exists()
    assert ApiToken.objects.count() == 1


def test_an_escaped_backslash_u0000_is_ordinary_text(client, auth):
    user, headers = auth
    body = json.dumps({"headline": "\\u0000 is how JSON writes NUL"})
    response = client.patch("/api/people/me", body, content_type="application/json", **headers)
    assert response.status_code == 200
    assert Profile.objects.get(user=user).headline == "\\u0000 is how JSON writes NUL"


def test_page_with_nul_in_the_query_is_a_400(client):
    response = client.get("/login/?next=%00")
    assert response.status_code == 400
