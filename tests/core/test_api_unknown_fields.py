"""A request body's field the operation does not take is refused, named (``core.api_types``).

A live review sent ``PATCH /api/people/me`` with ``{"manager_id": 3}`` and with
``{"timezon": "Mars/Base"}``: both answered 200 and changed nothing, so a misspelt field looked
saved. Every input schema now derives from ``InputSchema``; the sweeps below walk every
operation of the published schema, so a new one cannot forget.
"""

from __future__ import annotations

import json
import re

import pytest

from tandem.api import UNKNOWN_FIELD, api
from tandem.people.models import Profile
from tests.core.api_bodies import json_bodies
from tests.people.factories import ProfileFactory, UserFactory

UNKNOWN = "zz_not_a_field"


BODIES = sorted(set(json_bodies()))


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_every_body_schema_and_every_schema_nested_in_one_forbids_other_fields():
    components = api.get_openapi_schema()["components"]["schemas"]
    pending, seen = [name for _, _, name in BODIES], set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(_refs(components[name]))
    objects = {name for name in seen if components[name].get("type") == "object"}
    assert {"ProfilePatch", "AgreementContent", "Objective", "MeetingIn"} <= objects
    problems = [
        name
        for name in sorted(objects)
        if components[name].get("additionalProperties") is not False
    ]
    assert not problems, "take any field and drop it: " + ", ".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "name"), BODIES)
def test_every_operation_refuses_an_unknown_field_by_name(client, method, path, name):
    """Schema validation comes before the operation: any signed-in caller and any id will do."""
    client.force_login(UserFactory())
    url = re.sub(r"\{[a-z_]+\}", "1", path)
    body = json.dumps({UNKNOWN: 1})
    response = client.generic(method, url, body, content_type="application/json")
    assert response.status_code == 422, (response.status_code, response.content)
    assert response.json()["fields"].get(UNKNOWN) == UNKNOWN_FIELD


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"manager_id": 3}, {"timezon": "Mars/Base"}])
def test_the_reviews_profile_patch_is_refused_and_changes_nothing(client, body):
    profile = ProfileFactory()
    client.force_login(profile.user)
    response = client.patch("/api/people/me", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Some fields are invalid.",
        "fields": {next(iter(body)): UNKNOWN_FIELD},
    }
    assert Profile.objects.get(pk=profile.pk).timezone == profile.timezone


@pytest.mark.django_db
def test_a_known_field_beside_an_unknown_one_is_not_saved(client):
    profile = ProfileFactory(city="Lyon")
    client.force_login(profile.user)
    body = json.dumps({"city": "Oslo", "timezon": "Europe/Oslo"})
    response = client.patch("/api/people/me", body, content_type="application/json")
    assert response.status_code == 422
    assert Profile.objects.get(pk=profile.pk).city == "Lyon"
