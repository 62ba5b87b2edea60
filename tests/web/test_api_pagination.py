"""Every paginated API list bounds its page number.

Regression (found by tests/web/test_api_schemathesis.py): ``?page=1000000000000000000`` made
an OFFSET past 64 bits, and every ninja-paginated list answered 500 instead of a field error.
"""

import pytest

from tandem.api import api
from tandem.core.pagination import MAX_PAGE
from tandem.people.services import api_token_create
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTS = sorted(
    path
    for path, methods in api.get_openapi_schema()["paths"].items()
    if "{" not in path
    and any(p["name"] == "page" for p in methods.get("get", {}).get("parameters", ()))
)


def test_the_lists_are_found():
    assert {
        "/api/people/skills",
        "/api/programs/",
        "/api/mentorships/",
        "/api/notifications/",
    } <= set(LISTS)


@pytest.fixture
def auth():
    _, secret = api_token_create(user=UserFactory(), name="pages")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("path", LISTS)
def test_page_past_the_limit_is_a_field_error(client, auth, path):
    response = client.get(path, {"page": 10**18}, **auth)
    assert response.status_code == 422
    assert any(key.endswith("page") for key in response.json()["fields"])


@pytest.mark.parametrize("path", LISTS)
def test_last_allowed_page_is_empty_not_an_error(client, auth, path):
    response = client.get(path, {"page": MAX_PAGE, "page_size": 10**18}, **auth)
    assert response.status_code == 200
    assert response.json()["items"] == []
