"""API review: an invitation by email could be read (``GET /api/programs/invited/{token}/
questions``) but only answered on its page. ``POST /api/programs/invited/{token}/accept`` and
``/decline`` answer it as the page does, through the same service (who may answer, the
invitation's state, the join questions' answers named ``answers.<key>``); accepting again is a
200 with the first's body, writing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.notify.models import Notification
from tandem.programs.models import (
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    ParticipantInvitation,
    Role,
)
from tandem.programs.services.enrolments import ANSWER_REQUIRED, ANSWERS_WRONG, NO_SUCH_QUESTION
from tests.mentorships.test_lock_order import race, row_lock, unexpected
from tests.programs.factories import (
    EnrolmentFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    member_of,
)
from tests.programs.test_participant_invitation import invite

pytestmark = pytest.mark.django_db

# Who asks, and what accepting someone's invitation answers them.
ROLES = {
    "anonymous": 401,
    "the invited person": 201,
    "another signed-in person": 404,
    "another program's admin": 404,
    "this program's admin": 404,
}


def _person(role: str, program, invited):
    return {
        "anonymous": None,
        "the invited person": invited,
        "another signed-in person": member_of(ProgramFactory()),
        "another program's admin": admin_of(ProgramFactory()),
        "this program's admin": admin_of(program),
    }[role]


def _client(person=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if person is not None:
        client.force_login(person)
    return client


def _post(client, token, what="accept", body=None):
    return client.post(
        f"/api/programs/invited/{token}/{what}", body or {}, content_type="application/json"
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_accept(program, role):
    invited = UserFactory()
    invitation = invite(program, invited)
    response = _post(_client(_person(role, program, invited)), invitation.token)
    assert response.status_code == ROLES[role], response.content
    joined = Enrolment.objects.filter(program=program, role=Role.MENTOR)
    if ROLES[role] == 201:
        body = response.json()
        assert (body["email"], body["role"], body["status"]) == (invited.email, "mentor", "active")
        assert joined.get().person == invited
        assert ParticipantInvitation.objects.get(pk=invitation.pk).state == "accepted"
    else:
        assert not joined.exists()
        assert ParticipantInvitation.objects.get(pk=invitation.pk).state == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_decline(program, role):
    invited = UserFactory()
    invitation = invite(program, invited)
    response = _post(_client(_person(role, program, invited)), invitation.token, "decline")
    expected = 200 if ROLES[role] == 201 else ROLES[role]
    assert response.status_code == expected, response.content
    state = ParticipantInvitation.objects.get(pk=invitation.pk).state
    assert state == ("declined" if expected == 200 else "pending")
    assert not Enrolment.objects.filter(program=program, person=invited).exists()


def test_a_session_write_needs_its_csrf_token(program):
    invited = UserFactory()
    invitation = invite(program, invited)
    response = _post(_client(invited, enforce_csrf_checks=True), invitation.token)
    assert response.status_code == 403
    assert ParticipantInvitation.objects.get(pk=invitation.pk).state == "pending"


@pytest.mark.parametrize(
    ("state", "said"),
    [
        ({"declined_at": timezone.now}, "You already declined this invitation."),
        ({"withdrawn_at": timezone.now}, "withdrew this invitation"),
        ({"expires_at": lambda: timezone.now() - timedelta(days=1)}, "This invitation expired"),
    ],
)
def test_a_closed_invitation_is_refused_and_changes_nothing(program, state, said):
    invited = UserFactory()
    invitation = invite(program, invited, **{k: make() for k, make in state.items()})
    response = _post(_client(invited), invitation.token)
    assert response.status_code == 409 and said in response.json()["detail"]
    assert not Enrolment.objects.filter(program=program, person=invited).exists()


def test_an_unknown_token_and_another_programs_token_are_not_found(program):
    invited = UserFactory()
    invite(program, invited)
    others = invite(ProgramFactory(), UserFactory())
    client = _client(invited)
    for token in ("unknown", others.token, "x" * 5000):
        response = _post(client, token)
        assert response.status_code == 404, (token[:10], response.content)
    assert not Enrolment.objects.filter(person=invited).exists()


def test_answers_are_checked_and_named_as_the_join_names_them(program):
    asked = EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="Offer?", required=True
    )
    invited = UserFactory()
    invitation = invite(program, invited)
    client = _client(invited)
    response = _post(client, invitation.token, body={"answers": {"why": "x"}})
    assert response.status_code == 400
    assert response.json() == {
        "detail": ANSWERS_WRONG,
        "fields": {f"answers.q{asked.pk}": ANSWER_REQUIRED, "answers.why": NO_SUCH_QUESTION},
    }
    assert ParticipantInvitation.objects.get(pk=invitation.pk).state == "pending"
    for wrong in ({"answers": {f"q{asked.pk}": 5}}, {"answers": ["x"]}, {"answers": None}):
        assert _post(client, invitation.token, body=wrong).status_code == 422, wrong
    response = _post(client, invitation.token, body={"answers": {f"q{asked.pk}": "Reviews"}})
    assert response.status_code == 201 and response.json()["answers"] == {"Offer?": "Reviews"}


def test_accepted_again_is_a_200_with_the_same_body_and_writes_nothing(program):
    asked = EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="Offer?", required=True
    )
    admin_of(program)
    invited = UserFactory()
    invitation = invite(program, invited)
    client = _client(invited)
    answers = {"answers": {f"q{asked.pk}": "Reviews"}}
    first = _post(client, invitation.token, body=answers)
    assert first.status_code == 201, first.content
    accepted_at = ParticipantInvitation.objects.get(pk=invitation.pk).accepted_at
    told = Notification.objects.count()
    # A required question added since: a retry sending nothing is still the same accept.
    EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="New?", required=True
    )
    for body in (answers, None):
        with CaptureQueriesContext(connection) as queries:
            again = _post(client, invitation.token, body=body)
        assert (again.status_code, again.json()) == (200, first.json())
        writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE")]
        assert writes == []
    assert ParticipantInvitation.objects.get(pk=invitation.pk).accepted_at == accepted_at
    assert Notification.objects.count() == told
    other = _post(client, invitation.token, body={"answers": {f"q{asked.pk}": "Else"}})
    assert other.status_code == 409 and other.json()["detail"] == (
        "You already accepted this invitation."
    )
    assert _post(client, invitation.token, "decline").status_code == 409


def test_declined_again_is_the_same_answer(program):
    invited = UserFactory()
    invitation = invite(program, invited)
    client = _client(invited)
    assert _post(client, invitation.token, "decline").json() == {"state": "declined"}
    declined_at = ParticipantInvitation.objects.get(pk=invitation.pk).declined_at
    again = _post(client, invitation.token, "decline")
    assert (again.status_code, again.json()) == (200, {"state": "declined"})
    assert ParticipantInvitation.objects.get(pk=invitation.pk).declined_at == declined_at


@pytest.mark.django_db(transaction=True)
def test_accepted_twice_at_once_on_postgresql_enrols_once(postgres_only):
    program = ProgramFactory()
    invited = UserFactory()
    invitation = invite(program, invited)
    clients = [_client(invited) for _ in range(2)]
    outcomes = race(
        *(lambda client=client: _post(client, invitation.token) for client in clients),
        found=row_lock,
    )
    assert unexpected(outcomes) == []
    assert sorted(o.status_code for o in outcomes) == [200, 201]  # type: ignore[attr-defined]
    assert outcomes[0].json() == outcomes[1].json()  # type: ignore[attr-defined]
    assert Enrolment.objects.filter(program=program, person=invited).count() == 1


def test_a_role_asked_nothing_takes_no_answers_as_a_link_refuses_them(program):
    """Live API review: accepting an invitation to a role with no join questions (an admin's,
    say) dropped any answers sent without a word, where a link's join refuses them."""
    invited = UserFactory()
    invitation = invite(program, invited, role=Role.ADMIN, invited_by=admin_of(program))
    client = _client(invited)
    response = _post(client, invitation.token, body={"answers": {"q1": "Hello"}})
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"answers.q1": NO_SUCH_QUESTION}
    assert ParticipantInvitation.objects.get(pk=invitation.pk).state == "pending"
    assert _post(client, invitation.token, body={"answers": {}}).status_code == 201


def test_someone_who_left_comes_back_as_any_invited_newcomer(program):
    """Live API review: someone who had left the program by themself and accepted a new
    invitation by email came back awaiting approval, told "An admin of … had removed you",
    where docs/programs.md says an invitation brings them back as a new joiner; someone an
    admin removed still waits for an admin."""
    left, removed = UserFactory(), UserFactory()
    EnrolmentFactory(program=program, person=left, role=Role.MENTOR, status=EnrolmentStatus.LEFT)
    EnrolmentFactory(
        program=program, person=removed, role=Role.MENTOR, status=EnrolmentStatus.REMOVED
    )
    back = _post(_client(left), invite(program, left).token)
    assert (back.status_code, back.json()["status"]) == (201, "active")
    waits = _post(_client(removed), invite(program, removed).token)
    assert (waits.status_code, waits.json()["status"]) == (201, "pending")


@pytest.mark.django_db(transaction=True)
def test_an_accept_and_a_withdraw_at_once_on_postgresql_take_turns(postgres_only):
    """Live review: accepting locked the invitation, then the program; withdrawing it locks
    the program, then the invitation. At once they deadlocked, one of them a 500."""
    program = ProgramFactory()
    admin = admin_of(program)
    invited = UserFactory()
    invitation = invite(program, invited, role=Role.ADMIN, invited_by=admin)
    withdraw = f"/api/programs/{program.slug}/admins/invitations/{invitation.pk}/withdraw"
    person, admins = _client(invited), _client(admin)
    outcomes = race(
        lambda: _post(person, invitation.token),
        lambda: admins.post(withdraw, {}, content_type="application/json"),
        found=row_lock,
    )
    assert unexpected(outcomes) == []
    codes = [o.status_code for o in outcomes]  # type: ignore[attr-defined]
    assert codes in ([201, 409], [409, 200]), [o.content for o in outcomes]  # type: ignore[attr-defined]
    state = ParticipantInvitation.objects.get(pk=invitation.pk).state
    assert state == ("accepted" if codes[0] == 201 else "withdrawn")
