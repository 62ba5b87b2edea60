"""Answering an import's invitation: one fetch-and-authorise helper, and an accepted invitation
never undoes an admin's decision about an enrolment the person already holds."""

from __future__ import annotations

import secrets

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from tandem.core.exceptions import NotFound
from tandem.core.locking import LOCK_OUTSIDE_TRANSACTION
from tandem.programs import selectors, services
from tandem.programs.imports import services as import_services
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Role
from tests.programs.factories import EnrolmentFactory, UserFactory
from tests.programs.test_import import HEADER, confirm, preview

pytestmark = pytest.mark.django_db


def invite(program, person, role=Role.MENTOR, **kwargs) -> ParticipantInvitation:
    return ParticipantInvitation.objects.create(
        program=program,
        email=person.email.upper(),  # addresses match whatever their case
        role=role,
        token=secrets.token_urlsafe(32),
        **kwargs,
    )


def test_the_answer_uses_the_access_helper_with_a_lock(program, monkeypatch):
    """One security check for reading and answering (it was copied into the service)."""
    person = UserFactory()
    invitation = invite(program, person)
    calls = []
    real = selectors.access_participant_invitation

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(import_services, "access_participant_invitation", spy)
    import_services.participant_invitation_answer(user=person, token=invitation.token, accept=False)
    assert calls == [{"user": person, "token": invitation.token, "for_update": True}]


@pytest.mark.django_db(transaction=True)
def test_locking_the_invitation_outside_a_transaction_is_refused(program):
    """Outside a test transaction, as a live server runs: PostgreSQL refuses FOR UPDATE in
    autocommit, and the helper refuses it on every database."""
    person = UserFactory()
    invitation = invite(program, person)
    with pytest.raises(RuntimeError, match=LOCK_OUTSIDE_TRANSACTION.split(" ")[0]):
        selectors.access_participant_invitation(
            user=person, token=invitation.token, for_update=True
        )
    with transaction.atomic():
        found = selectors.access_participant_invitation(
            user=person, token=invitation.token, for_update=True
        )
    assert found.pk == invitation.pk


@pytest.mark.parametrize("who", ["stranger", "wrong token"])
def test_only_the_invited_address_may_answer(program, who):
    person = UserFactory()
    invitation = invite(program, person)
    user, token = (UserFactory(), invitation.token) if who == "stranger" else (person, "x" * 43)
    with pytest.raises(NotFound) as error:
        import_services.participant_invitation_answer(user=user, token=token, accept=True)
    assert error.value.message == selectors.PARTICIPANT_INVITATION_NOT_FOUND
    assert not Enrolment.objects.filter(program=program, role=Role.MENTOR).exists()


def test_a_removed_person_accepting_waits_for_approval_with_the_invitations_values(program):
    """Review of issue 8: accepting silently reactivated a removed enrolment and dropped the
    invitation's capacity and id."""
    person = UserFactory()
    removed = EnrolmentFactory(
        program=program,
        person=person,
        role=Role.MENTOR,
        status=EnrolmentStatus.REMOVED,
        capacity=1,
        external_id="old",
    )
    invitation = invite(program, person, capacity=3, external_id="m7")
    enrolment = import_services.participant_invitation_answer(
        user=person, token=invitation.token, accept=True
    )
    removed.refresh_from_db()
    assert enrolment.pk == removed.pk
    assert (removed.status, removed.capacity, removed.external_id) == ("pending", 3, "m7")
    invitation.refresh_from_db()
    assert invitation.state == "accepted"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (EnrolmentStatus.PENDING, EnrolmentStatus.ACTIVE),  # the admins invited them
        (EnrolmentStatus.PAUSED, EnrolmentStatus.PAUSED),  # a pause is not undone either
        (EnrolmentStatus.ACTIVE, EnrolmentStatus.ACTIVE),
    ],
)
def test_accepting_with_an_enrolment_applies_capacity_and_id(program, before, after):
    person = UserFactory()
    EnrolmentFactory(program=program, person=person, role=Role.MENTOR, status=before, capacity=1)
    invitation = invite(program, person, capacity=2, external_id="m8")
    import_services.participant_invitation_answer(user=person, token=invitation.token, accept=True)
    enrolment = Enrolment.objects.get(program=program, person=person, role=Role.MENTOR)
    assert (enrolment.status, enrolment.capacity, enrolment.external_id) == (after, 2, "m8")


def test_an_import_invites_a_removed_person_whose_acceptance_an_admin_approves(
    program, admin, client
):
    person = UserFactory(email="back@example.org")
    EnrolmentFactory(program=program, person=person, role=Role.MENTEE, status="removed")
    row = "back@example.org,,mentee" + "," * (HEADER.count(",") - 2)
    batch = confirm(program, admin, preview(program, admin, f"{HEADER}\n{row}\n".encode()))
    assert batch.report["summary"]["invited"] == 1, batch.report
    token = ParticipantInvitation.objects.get(program=program, email=person.email).token

    client.force_login(person)
    response = client.post(reverse("participant_invitation", args=[token]), {"answer": "accept"})
    assert response.status_code == 302
    assert response["Location"] == reverse("program_detail", args=[program.slug])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [import_services.RETURN_AWAITS_APPROVAL.format(program=program)]
    enrolment = Enrolment.objects.get(program=program, person=person, role=Role.MENTEE)
    assert enrolment.status == EnrolmentStatus.PENDING

    services.enrolment_set_status(
        user=admin, program_id=program.pk, enrolment_id=enrolment.pk, action="approve"
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
