"""API review: no operation listed a program's join questions, so an API client could not know
what to send in ``answers`` when joining by a link or accepting an invitation by email. They
are ``GET /api/programs/join/{token}/questions`` and ``GET /api/programs/invited/{token}/
questions``, readable by whoever may answer (``access_invitation``: anyone signed in holding a
link's token; ``access_participant_invitation``: only the invited address), per role below."""

from __future__ import annotations

import pytest

from tandem.programs.models import EnrolmentQuestion, Role
from tests.programs.factories import (
    EnrolmentFactory,
    InvitationFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    member_of,
)
from tests.programs.test_participant_invitation import invite

pytestmark = pytest.mark.django_db

# Who asks, and whether they may read a link's questions / an invitation by email's.
ROLES = {
    "anonymous": (401, 401),
    "participant of another program": (200, 404),
    "other program's admin": (200, 404),
    "admin of this program": (200, 404),
    "the invited person": (200, 200),
}


@pytest.fixture
def asked(program):
    """The mentor questions (in their order) and one mentee question that must not show."""
    EnrolmentQuestion.objects.create(program=program, role=Role.MENTEE, prompt="Why?")
    second = EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="Hours a month?", position=2
    )
    first = EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="What can you offer?", required=True
    )
    return [first, second]


def _person(role: str, program, invited):
    return {
        "anonymous": None,
        "participant of another program": member_of(ProgramFactory()),
        "other program's admin": admin_of(ProgramFactory()),
        "admin of this program": admin_of(program),
        "the invited person": invited,
    }[role]


def _get(client, person, url):
    if person is not None:
        client.force_login(person)
    return client.get(url)


def _expected(program, asked, answers=None) -> dict:
    return {
        "program": program.slug,
        "program_name": program.name,
        "role": "mentor",
        "questions": [
            {"key": f"q{q.pk}", "prompt": q.prompt, "required": q.required} for q in asked
        ],
        "answers": answers or {},
    }


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_a_links_questions(client, program, asked, role):
    link = InvitationFactory(program=program, role=Role.MENTOR)
    person = _person(role, program, UserFactory())
    response = _get(client, person, f"/api/programs/join/{link.token}/questions")
    assert response.status_code == ROLES[role][0], response.content
    if response.status_code == 200:
        assert response.json() == {**_expected(program, asked), "state": "usable"}


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_an_invitations_questions(client, program, asked, role):
    invited = UserFactory()
    invitation = invite(program, invited)
    person = _person(role, program, invited)
    response = _get(client, person, f"/api/programs/invited/{invitation.token}/questions")
    assert response.status_code == ROLES[role][1], response.content
    if response.status_code == 200:
        assert response.json() == {**_expected(program, asked), "state": "pending"}


def test_a_wrong_token_is_a_404_for_both(client, program):
    client.force_login(UserFactory())
    assert client.get("/api/programs/join/nope/questions").status_code == 404
    assert client.get("/api/programs/invited/nope/questions").status_code == 404


def test_the_answers_given_already_come_by_key(client, program, asked):
    """Someone holding the role (left, or invited to it again) starts from their answers."""
    person = UserFactory()
    EnrolmentFactory(
        program=program,
        person=person,
        role=Role.MENTOR,
        status="left",
        answers={"What can you offer?": "Reviews"},
    )
    invitation = invite(program, person)
    response = _get(client, person, f"/api/programs/invited/{invitation.token}/questions")
    assert response.json()["answers"] == {f"q{asked[0].pk}": "Reviews"}
