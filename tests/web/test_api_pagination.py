"""Every paginated API list bounds its page number.

Regression (found by tests/web/test_api_schemathesis.py): ``?page=1000000000000000000`` made
an OFFSET past 64 bits, and every ninja-paginated list answered 500 instead of a field error.
"""

import pytest

from tandem.api import api
from tandem.core.pagination import MAX_PAGE, PAGE_SIZE_CAPPED, PAGE_SIZE_LIMIT
from tandem.people.services import api_token_create
from tests.people.factories import SkillFactory, UserFactory

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


def _page_size(path: str) -> dict:
    parameters = api.get_openapi_schema()["paths"][path]["get"]["parameters"]
    return next(p for p in parameters if p["name"] == "page_size")


PAGE_SIZED = [
    path
    for path in LISTS
    if any(
        p["name"] == "page_size"
        for p in api.get_openapi_schema()["paths"][path]["get"]["parameters"]
    )
]


@pytest.mark.parametrize("path", PAGE_SIZED)
def test_the_schema_states_the_largest_page(path):
    """A live API fuzz asked ``/api/people/skills?page_size=500`` (the schema allowed up to
    2**63 - 1) and got 100 items of 178 without a word: the cap is stated where clients read."""
    assert PAGE_SIZE_LIMIT == 100
    assert PAGE_SIZE_CAPPED.format(limit=PAGE_SIZE_LIMIT) in _page_size(path)["description"]


def test_a_larger_page_size_gives_the_largest_page(client, auth):
    SkillFactory.create_batch(PAGE_SIZE_LIMIT + 1)
    response = client.get("/api/people/skills", {"page_size": PAGE_SIZE_LIMIT + 50}, **auth)
    assert response.status_code == 200
    assert len(response.json()["items"]) == PAGE_SIZE_LIMIT
