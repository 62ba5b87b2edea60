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
from pydantic import TypeAdapter, ValidationError

from tandem.api import api
from tandem.core.api_types import TIME_OF_DAY_PATTERN, ApiTime, years_pattern
from tandem.core.dates import DATE_OUT_OF_RANGE, MAX_YEAR, MIN_YEAR
from tandem.core.exceptions import ApplicationError
from tandem.feedback.models import INTERVENTION_NOTE_LIMIT
from tandem.feedback.services.checkin_templates import MAX_QUESTIONS
from tandem.insights.scope import QUARTER_PATTERN, parse_quarter
from tandem.matching.records import cells
from tandem.mentorships.models import PROBLEM_TEXT_LIMIT
from tandem.mentorships.models.meetings import NOTES_MAX_LENGTH
from tandem.mentorships.scheduling import MAX_OCCURRENCES
from tandem.mentorships.services import agreement_content, work
from tandem.mentorships.services.ending import END_REASON_LIMIT
from tandem.mentorships.services.lifecycle import REFLECTION_LIMIT
from tandem.mentorships.services.meeting_notes import AGENDA_ITEM_LIMIT
from tandem.mentorships.services.meeting_places import LOCATION_LIMIT, VIDEO_URL_LIMIT
from tandem.mentorships.services.meetings import MIN_OCCURRENCES
from tandem.mentorships.services.requests import DECLINE_REASON_LIMIT, MESSAGE_LIMIT
from tandem.messaging import models as messaging
from tandem.people.services.manager import MANAGER_EMAIL_MAX_LENGTH, MANAGER_NAME_MAX_LENGTH
from tandem.people.services.profiles import TEXT_LIMITS
from tandem.people.services.tokens import TOKEN_NAME_LIMIT
from tandem.programs.models import Program
from tandem.programs.services.admins import MAX_EMAIL
from tandem.programs.services.enrolment_bulk import BULK_MAX
from tandem.programs.services.enrolments import MAX_INVITATION_USES
from tandem.programs.services.programs import DESCRIPTION_LIMIT, MAX_ROLE_LIMIT, SETTING_BOUNDS
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


def _texts(limits: dict[str, int]) -> list[tuple[str, dict]]:
    return [(name, {"maxLength": limit}) for name, limit in limits.items()]


def _range(low: int, high: int) -> dict:
    return {"minimum": low, "maximum": high}


# What each service checks inline, as the schema must state it: ``{schema: [(field, keys)]}``,
# a list's items under ``field[]`` and a map's values under ``field{}``. An API review found
# these missing: /api/openapi.json said nothing of a goal's 200 characters, a capacity's 1..20
# or an agreement's 10 objectives, and said 8,000 characters for a message the service cuts
# at 4,000 (2,000 for a report's reason it refuses past 1,000).
STATED = {
    "GoalIn": [
        ("title", {"maxLength": work.TITLE_LIMIT}),
        ("measure", {"maxLength": work.MEASURE_LIMIT}),
    ],
    "ProgressIn": [("note", {"maxLength": work.PROGRESS_NOTE_LIMIT})],
    "MilestoneIn": [("title", {"maxLength": work.TITLE_LIMIT})],
    "ActionItemIn": [("description", {"maxLength": work.ACTION_ITEM_LIMIT})],
    "Objective": [
        ("goal", {"maxLength": agreement_content.OBJECTIVE_GOAL_LIMIT}),
        ("measure", {"maxLength": agreement_content.OBJECTIVE_MEASURE_LIMIT}),
    ],
    "AgreementContent": [
        *_texts(agreement_content.TEXT_FIELDS),
        ("objectives", {"maxItems": agreement_content.MAX_OBJECTIVES}),
        (
            "meeting_minutes",
            _range(agreement_content.MIN_MEETING_MINUTES, agreement_content.MAX_MEETING_MINUTES),
        ),
    ],
    "EndIn": [("reason", {"maxLength": END_REASON_LIMIT})],
    "CompleteIn": [("reflection", {"maxLength": REFLECTION_LIMIT})],
    "DeclineIn": [("reason", {"maxLength": DECLINE_REASON_LIMIT})],
    "ProblemReportIn": [("text", {"maxLength": PROBLEM_TEXT_LIMIT})],
    "MeetingIn": [
        ("video_url", {"maxLength": VIDEO_URL_LIMIT}),
        ("location", {"maxLength": LOCATION_LIMIT}),
        ("count", _range(MIN_OCCURRENCES, MAX_OCCURRENCES)),
    ],
    "TextIn": [("text", {"maxLength": AGENDA_ITEM_LIMIT})],
    "PrivateNoteIn": [("body", {"maxLength": NOTES_MAX_LENGTH})],
    "MessageIn": [("body", {"maxLength": messaging.MESSAGE_LIMIT})],
    "MessageEditIn": [("body", {"maxLength": messaging.MESSAGE_LIMIT})],
    "ReportIn": [("reason", {"maxLength": messaging.REPORT_REASON_LIMIT})],
    "NoteIn": [("note", {"maxLength": INTERVENTION_NOTE_LIMIT})],
    "TemplateIn": [("questions", {"maxItems": MAX_QUESTIONS})],
    "TokenIn": [("name", {"maxLength": TOKEN_NAME_LIMIT})],
    "ProfilePatch": [
        ("manager_email", {"maxLength": MANAGER_EMAIL_MAX_LENGTH}),
        ("manager_name", {"maxLength": MANAGER_NAME_MAX_LENGTH}),
        ("seniority", _range(cells.SENIORITY_RANGE[0], cells.SENIORITY_RANGE[-1])),
        *[(side, {"maxItems": cells.MAX_SKILLS}) for side in ("skills_offered", "skills_wanted")],
        *[
            (f"{side}[]", {"maxLength": cells.SKILL_MAX_LENGTH})
            for side in ("skills_offered", "skills_wanted")
        ],
        (
            "working_style{}",
            _range(cells.WORKING_STYLE_SCALE[0], cells.WORKING_STYLE_SCALE[-1]),
        ),
    ],
    "IdentityIn": [
        ("attributes", {"maxItems": cells.MAX_IDENTITY_ITEMS}),
        ("attributes[]", {"maxLength": cells.MAX_IDENTITY_ITEM_LENGTH}),
    ],
    **{
        schema: [
            ("name", {"maxLength": Program._meta.get_field("name").max_length}),
            ("description", {"maxLength": DESCRIPTION_LIMIT}),
            *[(name, _range(low, high)) for name, (low, high) in SETTING_BOUNDS.items()],
            *[(role, _range(1, MAX_ROLE_LIMIT)) for role in ("mentee_limit", "mentor_limit")],
        ]
        for schema in ("ProgramIn", "ProgramPatch")
    },
    "CapacityIn": [("capacity", _range(1, cells.CAPACITY_MAX))],
    "InvitationIn": [("max_uses", _range(1, MAX_INVITATION_USES))],
    "BulkStatusIn": [("ids", {"maxItems": BULK_MAX})],
    "AdminInviteIn": [("email", {"maxLength": MAX_EMAIL})],
}


def _stated(schema: str, path: str) -> dict:
    """The property at ``path`` of a component: its non-null branch, or a list's items
    (``field[]``) or a map's values (``field{}``)."""
    name = path.rstrip("[]{}")
    node = COMPONENTS[schema]["properties"][name]
    node = next((o for o in node.get("anyOf", [node]) if o.get("type") != "null"), node)
    if path.endswith("[]"):
        return node["items"]
    if path.endswith("{}"):
        return node["additionalProperties"]
    return node


@pytest.mark.parametrize(
    ("schema", "path", "keys"),
    [(schema, path, keys) for schema, fields in STATED.items() for path, keys in fields],
)
def test_each_inline_limit_is_stated(schema, path, keys):
    node = _stated(schema, path)
    assert {key: node.get(key) for key in keys} == keys


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


def test_a_time_of_day_states_what_it_takes():
    """Quiet hours are read in the person's own zone: an offset or a fraction is refused, and
    the schema says so (``format: time`` alone allows both)."""
    for name in ("quiet_from", "quiet_until"):
        assert _string(COMPONENTS["PreferenceSchema"]["properties"][name])["pattern"] == (
            TIME_OF_DAY_PATTERN
        )
    pattern, read = re.compile(TIME_OF_DAY_PATTERN), TypeAdapter(ApiTime)
    for value in ["22:00", "07:30:00", "00:00", "23:59:59", "23:59:59.000"]:
        assert pattern.match(value), value
        read.validate_python(value)
    for value in ["22:00Z", "08:02:51+17:33", "22:00:00.5", "24:00", "7:30", "22h00"]:
        assert not pattern.match(value), value
        with pytest.raises(ValidationError):
            read.validate_python(value)


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
