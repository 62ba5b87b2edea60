"""The published schema states the limits the services enforce (``core.api_types.up_to``,
``years_pattern``), from the services' own constants, so clients and fuzzers learn them.

An API fuzz review: schemathesis found 36 operations "mostly rejected generated data": dates
outside 1900-2100, texts past the services' limits (headline 140, notes 20000, ...), insights
quarters that are no quarter; /api/openapi.json said none of it.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from tandem.api import api
from tandem.core.api_types import years_pattern
from tandem.core.dates import DATE_OUT_OF_RANGE, MAX_YEAR, MIN_YEAR
from tandem.core.exceptions import ApplicationError
from tandem.insights.scope import QUARTER_PATTERN, parse_quarter
from tandem.mentorships.models.meetings import NOTES_MAX_LENGTH
from tandem.mentorships.services.requests import MESSAGE_LIMIT
from tandem.people.services.profiles import TEXT_LIMITS
from tests.mentorships.factories import call, mentorship
from tests.people.factories import ProfileFactory

SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA["components"]["schemas"]


def _string(prop: dict) -> dict:
    """The string branch of a property (``X | None`` is ``anyOf``)."""
    return next((o for o in prop.get("anyOf", [prop]) if o.get("type") == "string"), prop)


def test_text_limits_are_the_services():
    profile = COMPONENTS["ProfilePatch"]["properties"]
    for field, limit in TEXT_LIMITS.items():
        assert _string(profile[field])["maxLength"] == limit, field
    assert COMPONENTS["NotesIn"]["properties"]["shared_notes"]["maxLength"] == NOTES_MAX_LENGTH
    assert COMPONENTS["RequestIn"]["properties"]["message"]["maxLength"] == MESSAGE_LIMIT


def _properties(node):
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") in ("date", "date-time"):
            yield node
        for value in node.values():
            yield from _properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value)


def test_every_date_and_date_time_input_states_the_years():
    inputs = [
        operation.get("requestBody", {}) | {"parameters": operation.get("parameters", [])}
        for methods in SCHEMA["paths"].values()
        for operation in methods.values()
    ]
    found = list(_properties([COMPONENTS, inputs]))
    assert len(found) > 10
    dated = [node for node in found if "pattern" in node]
    # Every input is an ApiDate/ApiDateTime; answers (``...Out``) carry no pattern, and
    # the input walk (tests/core/test_api_strict_inputs.py) checks that inputs use these types.
    assert {node["format"] for node in dated} == {"date", "date-time"}
    for node in dated:
        years, time = node["pattern"], "T12:00Z" if node["format"] == "date-time" else ""
        assert re.match(years, f"{MIN_YEAR}-06-01{time}")
        assert re.match(years, f"{MAX_YEAR}-06-01{time}")
        assert not re.match(years, f"{MIN_YEAR - 1}-06-01{time}")
        assert not re.match(years, f"{MAX_YEAR + 1}-06-01{time}")


@pytest.mark.parametrize(("first", "last"), [(1900, 2100), (2000, 2100), (1999, 2001), (5, 5)])
def test_years_pattern_matches_exactly_the_years(first, last):
    pattern = re.compile(f"^{years_pattern(first, last)}$")
    for year in range(max(first - 150, 0), last + 150):
        assert bool(pattern.match(f"{year:04d}")) == (first <= year <= last), year


def test_the_quarter_pattern_is_the_one_the_insights_read():
    (param,) = [
        p
        for p in SCHEMA["paths"]["/api/insights/{section}"]["get"]["parameters"]
        if p["name"] == "from"
    ]
    pattern = re.compile(param["schema"]["pattern"])
    assert param["schema"]["pattern"] == f"^$|{QUARTER_PATTERN.pattern}"
    for value in ["2026Q3", "2026-q1", "2000Q1", "2100Q4"]:
        assert pattern.match(value)
        parse_quarter(value, field="from")
    for value in ["1999Q4", "2101Q1", "2026Q5", "26Q1", "2026"]:
        assert not pattern.match(value)
        with pytest.raises(ApplicationError):
            parse_quarter(value, field="from")


@pytest.mark.django_db
def test_a_value_at_each_stated_limit_is_taken_and_one_past_it_refused(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    at_limit = "h" * TEXT_LIMITS["headline"]
    response = call(client, "patch", "/api/people/me", body={"headline": at_limit})
    assert response.status_code == 200 and response.json()["headline"] == at_limit
    response = call(client, "patch", "/api/people/me", body={"headline": at_limit + "h"})
    assert response.status_code == 400 and "headline" in response.json()["fields"]


@pytest.mark.django_db
def test_the_last_day_the_schema_allows_is_taken(client):
    pair = mentorship()
    url = f"/api/mentorships/{pair.pk}/action-items"
    body = {"description": "Plan", "owner_id": pair.mentee.pk, "due_on": f"{MAX_YEAR}-12-31"}
    response = call(client, "post", url, pair.mentee, body)
    assert response.status_code == 201, response.content
    assert response.json()["due_on"] == date(MAX_YEAR, 12, 31).isoformat()
    body["due_on"] = f"{MAX_YEAR + 1}-01-01"
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"due_on": f"Value error, {DATE_OUT_OF_RANGE}"}
