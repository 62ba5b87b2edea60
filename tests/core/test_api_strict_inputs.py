"""The API takes what a field says and nothing it would have to guess (``core.api_types``).

A live review found ``true`` read as 1 (a request sent in program 1, a goal at 1 %), the number
0 read as the date 1970-01-01 and 2147483648 as a date-time in 2038; a later one found the text
``"45"`` and the number ``45.0`` read as 45, and a third ``1``, ``"yes"`` and ``"true"`` read as
true (consent to keep an identity record given by a 1). Each is now a 422 naming the field;
the sweep sends them to every field of every operation the published schema lists.
A date-time with a fraction of a second is no coercion: the API hands such starts out, and the
sweep checks it is taken (a meeting's length is kept to the nearest minute,
``tests/mentorships/test_api_reschedule_times.py``).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pydantic
import pytest

from tandem.api import api
from tandem.core.api_types import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    NOT_A_BOOLEAN,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    TRUE_OR_FALSE,
    WHOLE_NUMBER,
)
from tandem.mentorships.models import AgreementVersion, Goal, Meeting, MentorshipRequest
from tandem.people.models import Identity
from tandem.programs.models import Invitation, Role
from tests.core.api_bodies import json_bodies
from tests.mentorships.factories import UserFactory, member, mentorship
from tests.web.test_input_rules import _api_inputs

# What pydantic read as something else, by the kind of field it is sent to.
WRONG = {
    "integer": [True, False, "45", 45.0],
    "date": [0, "0", 86400, "2027-01-15T00:00"],
    "date-time": [0, 2147483648, "2147483648"],
    "boolean": [1, 0, "true", "yes", "false"],
}
# What is no coercion and must be taken: the API hands out date-times with fractions of a
# second (a stored start), so a caller sends them back (a review found them refused).
TAKEN = {
    "integer": [],
    "date": [],
    "date-time": ["2027-01-15T10:00:00.123Z"],
    "boolean": [True, False],
}


def _body_fields():
    """``(method, path, field, kind)`` for every integer, boolean, date and date-time field (or
    list of them) of every JSON body in the published schema."""
    components = api.get_openapi_schema()["components"]["schemas"]
    for method, path, body in json_bodies():
        for name, prop in components[body].get("properties", {}).items():
            for option in prop.get("anyOf", [prop]):
                listed = option.get("type") == "array"
                item = option.get("items", {}) if listed else option
                kind = item.get("format") if item.get("type") == "string" else item.get("type")
                if kind in WRONG:
                    yield method, path, name, kind, listed


FIELDS = sorted(set(_body_fields()))


def test_the_sweep_finds_the_fields_of_the_review():
    found = {(path, name) for _, path, name, _, _ in FIELDS}
    assert {
        ("/api/mentorships/requests", "program_id"),
        ("/api/mentorships/{mentorship_id}/action-items", "meeting_id"),
        ("/api/mentorships/goals/{goal_id}/progress", "percent"),
        ("/api/mentorships/{mentorship_id}/agreement/versions", "starts_on"),
        ("/api/programs/{slug}/invitations", "expires_at"),
        ("/api/mentorships/{mentorship_id}/meetings", "starts_at"),
        ("/api/programs/{slug}/enrolments/bulk-status", "ids"),
        ("/api/people/me/identity", "consent"),
    } <= found
    assert len(FIELDS) > 30


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "name", "kind", "listed"), FIELDS)
def test_every_body_field_refuses_what_pydantic_would_coerce(
    client, method, path, name, kind, listed
):
    """Schema validation comes before the operation, so any signed-in caller and any id will
    do: the answer is the 422 naming the field whatever the rest of the body holds. What the
    field takes it does not name, whatever else the answer says."""
    client.force_login(UserFactory())
    url = re.sub(r"\{[a-z_]+\}", "1", path)
    field = f"{name}.0" if listed else name

    def fields_named(value):
        body = {name: [value] if listed else value}
        response = client.generic(method, url, json.dumps(body), content_type="application/json")
        return response.status_code, response.json().get("fields", {})

    for value in WRONG[kind]:
        status, fields = fields_named(value)
        assert status == 422 and field in fields, (value, status, fields)
    for value in TAKEN[kind]:
        status, fields = fields_named(value)
        assert field not in fields, (value, status, fields)


def test_every_integer_boolean_and_date_input_refuses_coercion():
    """Also the inputs the sweep cannot reach (nested schemas): each uses the shared types, or
    ``WHOLE_NUMBER`` for its own range."""
    problems = []
    for where, annotation, metadata in _api_inputs():
        if " payload." not in where:
            continue  # a query string is text: ``true`` is no number there
        befores = [m for m in metadata if isinstance(m, pydantic.BeforeValidator)]
        if annotation is int and WHOLE_NUMBER not in metadata:
            problems.append(f"{where}: takes true as 1 (use ApiInt or ApiId)")
        elif annotation is bool and TRUE_OR_FALSE not in metadata:
            problems.append(f"{where}: takes 1 or 'yes' as true (use ApiBool)")
        elif annotation in (date, pydantic.AwareDatetime) and not befores:
            problems.append(f"{where}: takes numbers (use ApiDate or ApiDateTime)")
        elif annotation is float and not befores:
            problems.append(f'{where}: takes true as 1.0 and "1" as 1.0 (use ApiFloat)')
    assert not problems, "\n".join(problems)


def test_ids_in_paths_and_query_strings_are_read_from_text():
    """A path or a query string carries text: ``WHOLE_NUMBER`` there would refuse every id
    (``TextId`` is the type for them)."""
    api.urls  # noqa: B018 -- builds the routers: only then are nested ones listed
    problems = [
        f"{prefix}{path} {name}"
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for model in operation.models
        if model.__name__ in ("PathParams", "QueryParams")
        for name, field in model.model_fields.items()
        if WHOLE_NUMBER in field.metadata
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_whole_number_sent_as_text_or_with_a_fraction_is_refused(client):
    m = mentorship()
    mentee = member(m.program, Role.MENTEE)
    client.force_login(mentee)
    for program_id in (str(m.program_id), float(m.program_id)):
        response = _post(
            client,
            "/api/mentorships/requests",
            {"program_id": program_id, "recipient_id": m.mentor.pk, "message": "Hello"},
        )
        assert response.status_code == 422
        assert NOT_A_WHOLE_NUMBER in response.json()["fields"]["program_id"]
    assert not MentorshipRequest.objects.filter(sender=mentee).exists()
    schema = api.get_openapi_schema()["components"]["schemas"]["RequestIn"]
    assert schema["properties"]["program_id"]["type"] == "integer"


# The review's cases, end to end: refused, named, nothing written ---------------------------


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_a_request_with_program_id_true_is_refused(client):
    m = mentorship()
    mentee = member(m.program, Role.MENTEE)
    client.force_login(mentee)
    response = _post(
        client,
        "/api/mentorships/requests",
        {"program_id": True, "recipient_id": m.mentor.pk, "message": "Hello"},
    )
    assert response.status_code == 422
    assert NOT_A_WHOLE_NUMBER in response.json()["fields"]["program_id"]
    assert not MentorshipRequest.objects.filter(sender=mentee).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("consent", [1, "yes", "true"])
def test_consent_to_an_identity_record_needs_a_json_true(client, consent):
    user = UserFactory()
    client.force_login(user)
    response = client.put(
        "/api/people/me/identity",
        json.dumps({"attributes": ["Parent"], "consent": consent}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert NOT_A_BOOLEAN in response.json()["fields"]["consent"]
    assert not Identity.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_progress_of_true_percent_is_refused(client):
    found = Goal.objects.create(mentorship=mentorship(), title="Speak at a meetup")
    client.force_login(found.mentorship.mentee)
    response = _post(
        client,
        f"/api/mentorships/goals/{found.pk}/progress",
        {"state": "in_progress", "percent": True},
    )
    assert response.status_code == 422
    assert "percent" in response.json()["fields"]
    found.refresh_from_db()
    assert found.percent == 0


@pytest.mark.django_db
def test_an_agreement_starting_on_0_is_refused(client):
    m = mentorship()
    client.force_login(m.mentor)
    before = AgreementVersion.objects.count()
    response = _post(
        client,
        f"/api/mentorships/{m.pk}/agreement/versions",
        {"starts_on": 0, "ends_on": "2027-06-30", "meeting_minutes": 45, "cadence": "monthly"},
    )
    assert response.status_code == 422
    assert DATE_FORMAT in response.json()["fields"]["starts_on"]
    assert AgreementVersion.objects.count() == before


@pytest.mark.django_db
def test_an_invitation_expiring_at_a_unix_time_is_refused(client):
    m = mentorship()
    admin = member(m.program, Role.ADMIN)
    client.force_login(admin)
    response = _post(
        client,
        f"/api/programs/{m.program.slug}/invitations",
        {"role": "mentee", "expires_at": 2147483648},
    )
    assert response.status_code == 422
    assert DATETIME_FORMAT in response.json()["fields"]["expires_at"]
    assert not Invitation.objects.filter(program=m.program).exists()


@pytest.mark.django_db
def test_a_meeting_in_whole_seconds_is_kept_as_sent(client):
    m = mentorship()
    client.force_login(m.mentor)
    response = _post(
        client,
        f"/api/mentorships/{m.pk}/meetings",
        {
            "starts_at": "2027-03-01T10:00:30Z",
            "ends_at": "2027-03-01T11:00:30+00:00",
            "format": "call",
        },
    )
    assert response.status_code in (200, 201), response.content
    saved = Meeting.objects.get(mentorship=m)
    assert saved.duration_minutes == 60
    assert saved.starts_at == datetime.fromisoformat("2027-03-01T10:00:30+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "field", "key", "value", "message"),
    [
        *(
            ("patch", "/api/people/me", "working_style", "pace", value, NOT_A_WHOLE_NUMBER)
            for value in (True, "3", 3.0)
        ),
        *(
            ("patch", "/api/programs/any", "weights", "skills", value, NOT_A_NUMBER)
            for value in ("1", True)
        ),
    ],
)
def test_a_mappings_values_are_as_strict_as_a_field(
    client, method, url, field, key, value, message
):
    """A review found working-style answers ``true`` (kept as 1), ``"3"`` and ``3.0`` taken,
    and a weight ``"1"``: refused before the operation, named down to the key."""
    client.force_login(UserFactory())
    body = json.dumps({field: {key: value}})
    response = client.generic(method.upper(), url, body, content_type="application/json")
    assert response.status_code == 422
    assert message in response.json()["fields"][f"{field}.{key}"]
