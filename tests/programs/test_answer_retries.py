"""API review: accepting was not idempotent. A join by a link sent again (a retry after a lost
answer, a double submit) was a 409 "You are already in …", and an invitation by email accepted
again said "You already accepted this invitation": a client could not tell its retry from a
refusal. The same answer again now answers as the first did and writes nothing (through the API
a 200 with the first's body, where the first was a 201: it made nothing); a different one is
refused as before. Two identical invitations by email sent at once (the same program and
address) make one invitation, on PostgreSQL (the program's row lock, then the unique
constraint)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.notify.models import Notification
from tandem.programs.imports import services as import_services
from tandem.programs.models import (
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    Invitation,
    ParticipantInvitation,
    Role,
)
from tests.mentorships.test_lock_order import race, row_lock, unexpected
from tests.programs.factories import InvitationFactory, ProgramFactory, UserFactory, admin_of
from tests.programs.test_participant_invitation import invite


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _join(client, link, answers):
    return client.post(
        f"/api/programs/join/{link.token}", {"answers": answers}, content_type="application/json"
    )


@pytest.fixture
def asked(program):
    return EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTEE, prompt="Why?", required=True
    )


@pytest.mark.django_db
def test_a_join_sent_again_answers_as_the_first_and_writes_nothing(program, asked):
    admin_of(program)
    link = InvitationFactory(program=program, role=Role.MENTEE, max_uses=1)
    client = _client(UserFactory())
    first = _join(client, link, {f"q{asked.pk}": "Growth"})
    told = Notification.objects.count()
    again = _join(client, link, {f"q{asked.pk}": " Growth "})  # the same, as it is kept
    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (200, first.json())  # 200: it made nothing
    assert Enrolment.objects.filter(program=program).exclude(role=Role.ADMIN).count() == 1
    assert Invitation.objects.get(pk=link.pk).uses == 1  # its last use was the first join's
    assert Notification.objects.count() == told


@pytest.mark.django_db
def test_an_answer_sent_with_crlf_is_kept_as_the_page_keeps_it(program, asked):
    """Crawl review: the API kept a multi-line answer's CRLF, the page sends LF, so the same
    join sent again from the page was refused as a different one."""
    link = InvitationFactory(program=program, role=Role.MENTEE)
    client = _client(UserFactory())
    first = _join(client, link, {f"q{asked.pk}": "Growth\r\nand reach"})
    assert first.status_code == 201, first.content
    assert Enrolment.objects.get(pk=first.json()["id"]).answers == {"Why?": "Growth\nand reach"}
    again = _join(client, link, {f"q{asked.pk}": "Growth\nand reach"})
    assert again.status_code == 200, again.content


@pytest.mark.django_db
def test_another_join_by_someone_in_the_role_is_still_refused(program, asked):
    link = InvitationFactory(program=program, role=Role.MENTEE)
    person = UserFactory()
    client = _client(person)
    assert _join(client, link, {f"q{asked.pk}": "Growth"}).status_code == 201
    other = _join(client, link, {f"q{asked.pk}": "Something else"})
    assert other.status_code == 409 and "You are already in" in other.json()["detail"]
    Enrolment.objects.filter(person=person).update(status=EnrolmentStatus.REMOVED)
    removed = _join(client, link, {f"q{asked.pk}": "Growth"})
    assert removed.status_code == 409 and "status: removed" in removed.json()["detail"]


@pytest.mark.django_db
def test_an_invitation_accepted_again_answers_as_the_first(program):
    question = EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="Offer?", required=True
    )
    person = UserFactory()
    invitation = invite(program, person)
    answers = {f"q{question.pk}": "Reviews\nand pairing"}

    def accept(**given):
        return import_services.participant_invitation_answer(
            user=person, token=invitation.token, accept=True, answers=given
        )

    first = accept(**answers)
    accepted_at = ParticipantInvitation.objects.get(pk=invitation.pk).accepted_at
    assert accept(**answers) == first
    assert accept(**{f"q{question.pk}": "Reviews\r\nand pairing"}) == first  # as a form keeps it
    assert accept() == first  # nothing new sent: the answers held stand
    assert ParticipantInvitation.objects.get(pk=invitation.pk).accepted_at == accepted_at
    with pytest.raises(ApplicationError) as refused:
        accept(**{f"q{question.pk}": "Something else"})
    assert refused.value.status == 409
    assert refused.value.message == "You already accepted this invitation."


@pytest.mark.django_db
def test_the_invitation_page_sent_twice_lands_where_the_first_did(program):
    person = UserFactory()
    invitation = invite(program, person)
    client = _client(person)
    url = reverse("participant_invitation", args=[invitation.token])
    first = client.post(url, {"answer": "accept"})
    again = client.post(url, {"answer": "accept"})
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("program_detail", args=[program.slug])


@pytest.mark.django_db(transaction=True)
def test_a_join_sent_twice_at_once_on_postgresql_joins_once(postgres_only):
    program = ProgramFactory()
    link = InvitationFactory(program=program, role=Role.MENTEE)
    person = UserFactory()
    clients = [_client(person) for _ in range(2)]
    outcomes = race(
        *(lambda client=client: _join(client, link, {}) for client in clients), found=row_lock
    )
    assert unexpected(outcomes) == []
    assert sorted(o.status_code for o in outcomes) == [200, 201]  # one made it, one found it
    assert outcomes[0].json() == outcomes[1].json()
    assert Enrolment.objects.filter(program=program).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("email-invitations", {"emails": "ana@example.org", "role": "mentee"}),
        ("admins/invitations", {"email": "ana@example.org"}),
    ],
)
def test_one_invitation_sent_twice_at_once_on_postgresql_makes_one(postgres_only, path, body):
    program = ProgramFactory()
    admin = admin_of(program)
    url = f"/api/programs/{program.slug}/{path}"
    clients = [_client(admin) for _ in range(2)]
    outcomes = race(
        *(
            lambda client=client: client.post(url, body, content_type="application/json")
            for client in clients
        ),
        found=row_lock,
    )
    assert unexpected(outcomes) == []
    assert all(o.status_code in (201, 409) for o in outcomes), [o.content for o in outcomes]
    assert ParticipantInvitation.objects.filter(program=program).count() == 1
