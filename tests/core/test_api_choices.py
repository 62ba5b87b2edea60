"""Every API input with fixed choices declares them as an ``enum`` (``core.api_types.OneOf``).

A live review found a meeting's ``format`` and ``repeat`` published as plain strings, though
only some values were taken: a client generated from the schema could not know which. The
choices come from the model (one source), and any other value is a 422 naming the field.
"""

from __future__ import annotations

import json
import re
import typing

import pydantic
import pytest

from tandem.api import api
from tandem.feedback.guidance import STAGES
from tandem.matchruns.models import ConstraintKind, Objective
from tandem.mentorships.models import ActionItemStatus, GoalState, MeetingFormat
from tandem.notify.kinds import Kind
from tandem.people import choices as people
from tandem.programs.models import MatchingMode, ProgramType, Role
from tandem.programs.services import BULK_ACTIONS
from tandem.programs.services.enrolments import TRANSITIONS
from tests.core.api_bodies import json_bodies
from tests.mentorships.factories import mentorship
from tests.people.factories import ProfileFactory, UserFactory
from tests.untouched import row_of

# (schema, field): the values it takes, read from where the rule lives.
EXPECTED = {
    ("MeetingIn", "format"): MeetingFormat.values,
    ("MeetingIn", "repeat"): [*people.Cadence.values, ""],
    ("AgreementContent", "cadence"): people.Cadence.values,
    ("AgreementContent", "meeting_format"): MeetingFormat.values,
    ("ProgressIn", "state"): GoalState.values,
    ("StatusIn", "status"): ActionItemStatus.values,
    ("ProfilePatch", "meeting_format"): people.MeetingFormat.values,
    ("ProfilePatch", "cadence"): [*people.Cadence.values, ""],
    ("ProgramPatch", "program_type"): ProgramType.values,
    ("ProgramPatch", "matching_mode"): MatchingMode.values,
    ("ProgramPatch", "default_cadence"): people.Cadence.values,
    ("BulkStatusIn", "action"): list(BULK_ACTIONS),
    ("EnrolmentActionIn", "action"): list(TRANSITIONS),
    ("InvitationIn", "role"): Role.values,
    ("EmailInvitationIn", "role"): Role.values,
    ("ConstraintIn", "kind"): ConstraintKind.values,
    ("StartIn", "objective"): Objective.values,
    ("RerunIn", "objective"): Objective.values,
    ("PreferenceSchema", "email_kinds"): Kind.values,
    ("ArticleIn", "stages"): list(STAGES),
}
# A description listing values ("video | call | chat") is what a plain string used instead.
LISTED = re.compile(r"^\w+(?: \([^)]*\))? \| \w+")


def _enum(prop: dict) -> list | None:
    for option in prop.get("anyOf", [prop]):
        item = option.get("items", option) if option.get("type") == "array" else option
        if "enum" in item:
            return item["enum"]
    return None


def _components() -> dict:
    return api.get_openapi_schema()["components"]["schemas"]


@pytest.mark.parametrize(("schema", "field"), sorted(EXPECTED))
def test_each_choice_field_declares_the_models_choices(schema, field):
    components = _components()
    names = [n for n in components if n == schema or n.endswith(f"__{schema}")]
    found = [
        _enum(components[n]["properties"][field])
        for n in names
        if field in components[n].get("properties", {})
    ]
    assert found and all(enum == list(EXPECTED[schema, field]) for enum in found), found


def test_no_two_schemas_share_a_name():
    """The schema lists one component per name: the enrolment's ``StatusIn`` was published as
    the action item's (``status: open | done``), so its ``action`` was nowhere; the health
    ``ReasonOut`` stood for the match run's in ``PairOut`` and its kin. Responses count too:
    ninja wraps each in a ``NinjaResponseSchema`` whose ``response`` field is the real one."""
    api.urls  # noqa: B018 -- builds the routers: only then are nested ones listed
    seen: dict[str, set[str]] = {}
    operations = [
        operation
        for _, router in api._routers
        for view in router.path_operations.values()
        for operation in view.operations
    ]
    pending = [model for operation in operations for model in operation.models]
    pending += [
        model
        for operation in operations
        for wrapper in operation.response_models.values()
        if isinstance(wrapper, type) and issubclass(wrapper, pydantic.BaseModel)
        for model in _models_in(wrapper.model_fields["response"].annotation)
    ]
    while pending:
        model = pending.pop()
        qualified = f"{model.__module__}.{model.__qualname__}"
        if qualified in seen.setdefault(model.__name__, set()):
            continue
        seen[model.__name__].add(qualified)
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                pending.append(inner)
    shared = {name: places for name, places in seen.items() if len(places) > 1}
    assert not shared, shared


def _models_in(annotation) -> list:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_no_input_lists_its_choices_only_in_words():
    schema = api.get_openapi_schema()
    problems = []
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Out") or "Out" in name:
            continue
        for field, prop in component.get("properties", {}).items():
            if LISTED.match(prop.get("description", "")) and _enum(prop) is None:
                problems.append(f"{name}.{field}: {prop['description']}")
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                described = parameter.get("description", "") or parameter["schema"].get(
                    "description", ""
                )
                if LISTED.match(described) and _enum(parameter["schema"]) is None:
                    problems.append(f"{method.upper()} {path} ?{parameter['name']}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("format", "zoom"), ("repeat", "daily")])
def test_a_meeting_with_a_value_not_among_the_choices_is_a_422_naming_it(client, field, value):
    m = mentorship()
    client.force_login(m.mentor)
    body = {
        "starts_at": "2030-01-15T10:00:00Z",
        "ends_at": "2030-01-15T10:45:00Z",
        "format": "video",
        field: value,
    }
    response = client.post(
        f"/api/mentorships/{m.pk}/meetings", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert not m.meetings.exists()


def _body_choice_fields():
    """``(method, path, field, listed, values)`` for every body field (or list of them) that
    declares its choices."""
    components = _components()
    for method, path, body in json_bodies():
        for name, prop in components[body].get("properties", {}).items():
            values = _enum(prop)
            if values and all(isinstance(v, str) for v in values):
                listed = any(o.get("type") == "array" for o in prop.get("anyOf", [prop]))
                yield method, path, name, listed, tuple(values)


CHOICE_FIELDS = sorted(set(_body_choice_fields()))


def _near_misses(values) -> list[str]:
    """What a reader that folds case and spaces would take: "WEEKLY", "Weekly ", "in-person"."""
    value = next(v for v in values if v)
    return [
        miss
        for miss in (value.upper(), f"{value.title()} ", f" {value}", value.replace("_", "-"))
        if miss not in values
    ]


def test_the_choice_sweep_finds_the_profiles_choices():
    found = {(path, name) for _, path, name, _, _ in CHOICE_FIELDS}
    assert {
        ("/api/people/me", "cadence"),
        ("/api/people/me", "meeting_format"),
        ("/api/mentorships/{mentorship_id}/meetings", "format"),
        ("/api/programs/{slug}", "default_cadence"),
    } <= found


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "name", "listed", "values"), CHOICE_FIELDS)
def test_every_choice_takes_exactly_its_listed_values(client, method, path, name, listed, values):
    """A review found a profile's cadence taking "WEEKLY" (the participant record folds case
    for files) where a meeting's format refused "VIDEO": through the API each choice takes its
    listed spelling only, and the 422 names the field and lists what it takes. Schema
    validation comes first, so any signed-in caller and any id will do."""
    client.force_login(UserFactory())
    url = re.sub(r"\{[a-z_]+\}", "1", path)
    field = f"{name}.0" if listed else name
    for miss in _near_misses(values):
        body = json.dumps({name: [miss] if listed else miss})
        response = client.generic(method, url, body, content_type="application/json")
        fields = response.json().get("fields", {})
        assert response.status_code == 422 and field in fields, (miss, response.content)
        assert all(repr(value) in fields[field] for value in values), fields[field]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("cadence", "WEEKLY"), ("cadence", "Weekly"), ("meeting_format", "ANY")]
)
def test_a_profile_choice_in_another_case_is_refused_and_changes_nothing(client, field, value):
    me = ProfileFactory(cadence="monthly", meeting_format="virtual")
    client.force_login(me.user)
    before = row_of(me)
    response = client.patch(
        "/api/people/me", json.dumps({field: value}), content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert row_of(me) == before
    taken = {"cadence": "weekly", "meeting_format": "any"}[field]
    response = client.patch(
        "/api/people/me", json.dumps({field: taken}), content_type="application/json"
    )
    assert response.status_code == 200
    me.refresh_from_db()
    assert getattr(me, field) == taken
