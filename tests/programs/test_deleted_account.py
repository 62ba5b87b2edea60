"""What programs keep of a deleted account (docs/people.md, *Deleting your account*): the
enrolment stays as "Left the program", without the answers the person gave when joining, and
the e-mail invitations they accepted no longer carry their address."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.people.services.closing import account_delete
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Role
from tests.mentorships.factories import ProgramFactory, member
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _deletable(program, email: str):
    person = member(program, Role.MENTOR)
    person.email = person.username = email
    person.set_password(PASSWORD)
    person.save()
    return person


def test_join_answers_are_erased_and_the_enrolment_stays():
    program = ProgramFactory()
    member(program, Role.ADMIN)
    person = _deletable(program, "ivy@example.org")
    Enrolment.objects.filter(person=person).update(answers={"Why?": "my manager is Bob"})
    account_delete(user=person, password=PASSWORD)
    enrolment = Enrolment.objects.get(person=person, program=program)
    assert enrolment.status == EnrolmentStatus.LEFT
    assert enrolment.answers == {}


def test_accepted_invitations_lose_the_address_the_account_had():
    program, other = ProgramFactory(), ProgramFactory()
    person = _deletable(program, "ivy@example.org")
    accepted = ParticipantInvitation.objects.create(
        program=program,
        email="Ivy@Example.org",
        role=Role.MENTOR,
        token="t1",
        accepted_at=timezone.now(),
    )
    someone_else = ParticipantInvitation.objects.create(
        program=program, email="bo@example.org", role=Role.MENTOR, token="t2"
    )
    elsewhere = ParticipantInvitation.objects.create(
        program=other, email="ivy@example.org", role=Role.MENTEE, token="t3"
    )
    account_delete(user=person, password=PASSWORD)
    person.refresh_from_db()
    accepted.refresh_from_db(), someone_else.refresh_from_db(), elsewhere.refresh_from_db()
    assert accepted.email == person.email == f"deleted-{person.pk}@deleted.invalid"
    assert someone_else.email == "bo@example.org"
    # Never accepted: the admins' own outreach to an address, not the account's.
    assert elsewhere.email == "ivy@example.org"
    assert not ParticipantInvitation.objects.filter(email__iexact="ivy@example.org").filter(
        accepted_at__isnull=False
    )


def test_the_last_admin_is_told_before_typing_the_password(client):
    """Live review F5: the page asked for the password and only then refused."""
    program = ProgramFactory(name="Orbit")
    admin = _deletable(program, "boss@example.org")
    Enrolment.objects.filter(person=admin).update(role=Role.ADMIN)
    client.force_login(admin)
    page = client.get(reverse("account_delete"))
    text = page.content.decode()
    assert "You are the last admin of Orbit" in text
    assert reverse("program_participants", args=[program.slug]) in text
    assert 'type="password"' not in text
    refused = client.post(reverse("account_delete"), {"confirm": "yes", "password": PASSWORD})
    assert refused.status_code == 409
    admin.refresh_from_db()
    assert not admin.is_deleted
    member(program, Role.ADMIN)  # a second admin: the page asks for the password
    assert 'type="password"' in client.get(reverse("account_delete")).content.decode()


def test_a_deleted_persons_enrolment_and_address_are_refused_in_words():
    """Live review F8: the capacity of their left enrolment could be changed, the deleted
    address could be e-mail-invited, and the refusal read "whose enrolment is left the
    program"."""
    from tandem.core.exceptions import ApplicationError
    from tandem.programs.imports.invitations import participant_invitations_invite
    from tandem.programs.services.enrolments import (
        enrolment_set_status,
        enrolment_update_capacity,
    )

    program = ProgramFactory()
    boss = member(program, Role.ADMIN)
    person = _deletable(program, "ivy@example.org")
    enrolment = Enrolment.objects.get(person=person, program=program)
    account_delete(user=person, password=PASSWORD)
    person.refresh_from_db()
    with pytest.raises(ApplicationError) as capacity:
        enrolment_update_capacity(
            user=boss, program_id=program.pk, enrolment_id=enrolment.pk, capacity=3
        )
    assert capacity.value.status == 409 and "capacity" in capacity.value.fields
    enrolment.refresh_from_db()
    assert enrolment.capacity != 3
    with pytest.raises(ApplicationError) as invite:
        participant_invitations_invite(
            user=boss, program_id=program.pk, emails=person.email, role=Role.MENTEE
        )
    assert "deleted account" in invite.value.fields["emails.1"]
    assert not ParticipantInvitation.objects.filter(email=person.email).exists()
    with pytest.raises(ApplicationError) as again:
        enrolment_set_status(
            user=boss, program_id=program.pk, enrolment_id=enrolment.pk, action="reactivate"
        )
    assert again.value.message == (
        "You cannot reactivate someone who is no longer a participant (they left the program)."
    )
