"""An API error names the field the client sent (``tandem.api._in_api_names``).

Services name what they were given, as the pages' forms do (``recipient``, ``owner``,
``meeting``); an API review found the 400s of ``POST /api/mentorships/requests`` and of
``POST /api/mentorships/{id}/action-items`` naming them, where the body's fields are
``recipient_id``, ``owner_id`` and ``meeting_id``: a client could not tell which input was
wrong. The same for a key inside an object of the body: a join's or a check-in's answer is
``answers.<key>``. The pages keep the form's names.
"""

from __future__ import annotations

import pytest

from tandem.mentorships.services.requests import NOT_TO_SELF, RECIPIENT_NOT_ELIGIBLE
from tandem.mentorships.services.work import MEETING_NOT_IN_MENTORSHIP, OWNER_NOT_PARTICIPANT
from tandem.programs.models import EnrolmentQuestion, Role
from tandem.programs.services.enrolments import ANSWER_REQUIRED
from tests.mentorships.factories import call, meeting, member, mentorship
from tests.programs.factories import InvitationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_a_request_names_recipient_id(client):
    program = ProgramFactory()
    mentee, other_mentee = member(program), member(program)
    body = {"program_id": program.pk, "recipient_id": other_mentee.pk, "message": "hi"}
    response = call(client, "post", "/api/mentorships/requests", mentee, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"recipient_id": RECIPIENT_NOT_ELIGIBLE}

    body["recipient_id"] = mentee.pk
    response = call(client, "post", "/api/mentorships/requests", mentee, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"recipient_id": NOT_TO_SELF}


def test_an_action_item_names_owner_id_and_meeting_id(client):
    pair, other_pair = mentorship(), mentorship()
    url = f"/api/mentorships/{pair.pk}/action-items"
    outsider = member(pair.program, Role.MENTOR)
    body = {"description": "Outline", "owner_id": outsider.pk}
    response = call(client, "post", url, pair.mentee, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"owner_id": OWNER_NOT_PARTICIPANT}

    body = {"description": "Outline", "owner_id": pair.mentee.pk}
    body["meeting_id"] = meeting(other_pair).pk
    response = call(client, "post", url, pair.mentee, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"meeting_id": MEETING_NOT_IN_MENTORSHIP}


def test_a_field_the_body_has_keeps_its_name(client):
    pair = mentorship()
    url = f"/api/mentorships/{pair.pk}/action-items"
    body = {"description": " ", "owner_id": pair.mentee.pk}
    response = call(client, "post", url, pair.mentee, body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"description"}


def test_a_join_answer_is_named_by_its_place_in_the_body(client):
    """API review: join answers are sent as ``answers.q5`` and were refused as ``q5``."""
    program = ProgramFactory()
    asked = EnrolmentQuestion.objects.create(
        program=program, role="mentee", prompt="Why?", required=True
    )
    link = InvitationFactory(program=program, role="mentee")
    url = f"/api/programs/join/{link.token}"
    joiner = member(ProgramFactory())
    response = call(client, "post", url, joiner, {"answers": {f"q{asked.pk}": " "}})
    assert response.status_code == 400
    assert response.json()["fields"] == {f"answers.q{asked.pk}": ANSWER_REQUIRED}
    not_text = call(client, "post", url, joiner, {"answers": {f"q{asked.pk}": 3}})
    assert not_text.status_code == 422
    assert list(not_text.json()["fields"]) == [f"answers.q{asked.pk}"]
