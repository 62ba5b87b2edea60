"""A number in a path or a query string is plain digits (``core.api_types.TEXT_DIGITS``).

A review found ``/api/mentorships/2.0``, ``/api/mentorships/+2``, ``/api/mentorships/%202`` and
``/api/mentorships/02`` all answering as ``/api/mentorships/2`` (pydantic reads those texts as
2), and ``?page=2.0`` read as page 2. Each is now a 422 naming the parameter; so is an id past
a ``bigint`` and a number past its ``integer`` column, which PostgreSQL would refuse.
"""

from __future__ import annotations

import re

import pytest

from tandem.api import api
from tandem.core.api_types import INT32_MAX, INT64_MAX, NOT_PLAIN_DIGITS, TEXT_DIGITS
from tandem.programs.models import Role
from tests.mentorships.factories import UserFactory, member, mentorship
from tests.web.test_input_rules import _leaves

# What pydantic read as a number (``%20`` is a space, ``%EF%BC%91`` a full-width 1).
NOT_DIGITS = ["{}.0", "+{}", "%20{}", "{}%20", "0{}", "1_0", "1e0", "%EF%BC%91"]


def _text_number_parameters():
    """``(method, path, where, name, least)`` for every integer of a path or query string the
    published schema lists (a paged list's ``page`` among them); ``least`` is a value it takes."""
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                for option in options:
                    if option.get("type") == "integer":
                        least = str(max(1, option.get("minimum", 1)))
                        yield method.upper(), path, parameter["in"], parameter["name"], least


PARAMETERS = sorted(set(_text_number_parameters()))


def test_the_sweep_finds_the_parameters_of_the_review():
    found = {(path, where, name) for _, path, where, name, _ in PARAMETERS}
    assert {
        ("/api/mentorships/{mentorship_id}", "path", "mentorship_id"),
        ("/api/mentorships/{mentorship_id}/agreement/versions/{number}/sign", "path", "number"),
        ("/api/mentorships/", "query", "page"),
        ("/api/mentorships/{mentorship_id}/messages", "query", "after"),
        ("/api/match-runs/{slug}/runs", "query", "page"),
        ("/api/match-runs/{slug}/recommendations", "query", "page"),
        ("/api/mentorships/{mentorship_id}/meetings/suggestions", "query", "duration_minutes"),
    } <= found
    assert len(PARAMETERS) > 80


def test_every_integer_of_a_path_or_query_string_takes_plain_digits_in_range():
    """Also what the sweep cannot tell apart: each carries ``TEXT_DIGITS`` and both bounds."""
    api.urls  # noqa: B018 -- builds the routers: only then are nested ones listed
    problems = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if model.__name__ not in ("PathParams", "QueryParams"):
                        continue
                    for where, annotation, metadata in _leaves(model):
                        if annotation is not int:
                            continue
                        bounds = {type(m).__name__ for m in metadata} & {"Ge", "Le"}
                        if TEXT_DIGITS not in metadata or len(bounds) < 2:
                            problems.append(f"{operation.methods} {prefix}{path} {where}")
    assert not problems, "\n".join(problems)


def _url(path: str, name: str, where: str, value: str) -> str:
    url = re.sub(r"\{[a-z_]+\}", lambda m: value if m[0] == f"{{{name}}}" else "1", path)
    return f"{url}?{name}={value}" if where == "query" else url


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "where", "name", "least"), PARAMETERS)
def test_every_text_number_refuses_what_is_not_plain_digits(
    client, method, path, where, name, least
):
    """Parameters are read before the operation runs, so any signed-in caller will do; plain
    digits are never the parameter named, and no number in range is a server error."""
    client.force_login(UserFactory())

    def fields_for(value):
        response = client.generic(method, _url(path, name, where, value))
        assert response.status_code != 500, (value, response.content)
        return response.status_code, response.json().get("fields", {})

    key = f"{where}.{name}"
    for value in NOT_DIGITS:
        status, fields = fields_for(value.format(least))
        assert status == 422 and NOT_PLAIN_DIGITS in fields.get(key, ""), (value, status, fields)
    status, fields = fields_for(str(INT64_MAX + 1))
    assert status == 422 and key in fields, (status, fields)
    for value in (INT32_MAX + 1, INT64_MAX):  # a 404 or a 422, never PostgreSQL's overflow
        fields_for(str(value))
    status, fields = fields_for(least)
    assert key not in fields, (status, fields)


@pytest.mark.django_db
def test_a_mentorship_has_one_address(client):
    m = mentorship()
    client.force_login(m.mentee)
    assert client.get(f"/api/mentorships/{m.pk}").json()["id"] == m.pk
    for alias in (f"{m.pk}.0", f"+{m.pk}", f"%20{m.pk}", f"0{m.pk}"):
        response = client.get(f"/api/mentorships/{alias}")
        assert response.status_code == 422, alias
        assert set(response.json()["fields"]) == {"path.mentorship_id"}
        assert NOT_PLAIN_DIGITS in response.json()["fields"]["path.mentorship_id"]


@pytest.mark.django_db
def test_a_caller_signed_out_learns_nothing_from_a_bad_id(client):
    """Authentication comes first: 401, not the 422 a signed-in caller gets."""
    response = client.get("/api/mentorships/2.0")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_page_number_with_a_fraction_is_refused(client):
    client.force_login(UserFactory())
    response = client.get("/api/mentorships/?page=2.0")
    assert response.status_code == 422
    assert NOT_PLAIN_DIGITS in response.json()["fields"]["query.page"]
    assert client.get("/api/mentorships/?page=2").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("huge", [INT32_MAX + 1, INT64_MAX])
def test_ids_past_an_integer_column_are_not_found(client, huge):
    """On PostgreSQL too: ids are ``bigint``, so past 2^31 is just no such row (and a
    stranger's mentorship the same 404 as a missing one)."""
    m = mentorship()
    stranger = member(m.program, Role.MENTEE)
    client.force_login(stranger)
    for url in (
        f"/api/mentorships/{huge}",
        f"/api/mentorships/meetings/{huge}",
        f"/api/mentorships/{huge}/messages",
        f"/api/mentorships/{m.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, (url, response.content)


@pytest.mark.django_db
def test_an_agreement_version_number_past_its_column_is_refused(client):
    """The version's number is an ``integer``: 2^31 is a 422 naming it, not a database error;
    2^31 - 1 is a version that does not exist."""
    m = mentorship()
    client.force_login(m.mentor)
    url = f"/api/mentorships/{m.pk}/agreement/versions/{{}}/sign"
    response = client.post(url.format(INT32_MAX + 1))
    assert response.status_code == 422
    assert "path.number" in response.json()["fields"]
    assert client.post(url.format(INT32_MAX)).status_code == 404
