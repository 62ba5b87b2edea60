"""Invitations to become a program admin: they expire, can be withdrawn, stop counting once the
inviting admin no longer runs the program, agree with Make admin about paused or removed admin
roles and deactivated accounts, and the program's other admins hear of each new admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.templatetags.readable_dates import day_in
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs import selectors, services
from tandem.programs.imports import services as import_services
from tandem.programs.models import (
    ADMIN_INVITATION_DAYS,
    Enrolment,
    EnrolmentStatus,
    ParticipantInvitation,
    Role,
)
from tandem.programs.services.admins import ADMIN_PAUSED, PROMOTE_DEACTIVATED
from tests.programs.factories import (
    CAST_ROLES,
    EnrolmentFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    enrol,
)
from tests.programs.test_import import run_on_commit

pytestmark = pytest.mark.django_db

PAUSED, REMOVED = EnrolmentStatus.PAUSED, EnrolmentStatus.REMOVED


def _invite(admin, program, email="new@example.org"):
    return services.program_admin_invite(user=admin, program_id=program.pk, email=email)


def _accept(person, invitation):
    return import_services.participant_invitation_answer(
        user=person, token=invitation.token, accept=True
    )


def _is_admin(person, program) -> bool:
    return selectors.is_program_admin(user=person, program_id=program.pk)


def _told(kind=Kind.ADMIN_ADDED):
    return {n.recipient_id: n for n in Notification.objects.filter(kind=kind)}


class TestExpiry:
    def test_an_invitation_lasts_the_constant_and_the_page_shows_it(self, client, program, admin):
        before = timezone.now()
        invitation = _invite(admin, program)
        assert ADMIN_INVITATION_DAYS == 14
        assert invitation.expires_at - before >= timedelta(days=14)
        assert invitation.expires_at - timezone.now() <= timedelta(days=14)
        client.force_login(admin)
        page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
        assert "An invitation works for 14 days." in page
        assert f"expires {invitation.expires_at:%-d %b %Y}" in page

    def test_the_email_says_until_when_the_link_works(self, program, admin, mailoutbox):
        invitation = run_on_commit(
            services.program_admin_invite, user=admin, program_id=program.pk, email="a@b.org"
        )
        [mail] = mailoutbox
        assert f"The link works until {day_in(invitation.expires_at)}." in mail.body

    def test_an_expired_invitation_cannot_be_accepted(self, client, program, admin):
        invitation = _invite(admin, program)
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
        invitation.save(update_fields=["expires_at"])
        person = UserFactory(email="new@example.org")
        with pytest.raises(ApplicationError) as refused:
            _accept(person, invitation)
        assert refused.value.status == 409
        assert refused.value.message.startswith("This invitation expired on ")
        assert "invite you again" in refused.value.message
        assert not _is_admin(person, program)
        client.force_login(person)
        url = reverse("participant_invitation", args=[invitation.token])
        page = client.get(url).content.decode()
        assert "This invitation expired on" in page and "Accept and join" not in page
        client.force_login(admin)
        people = client.get(reverse("program_participants", args=[program.slug]))
        assert "<strong>expired " in people.content.decode()

    def test_inviting_again_sends_a_new_date_and_link(self, client, program, admin):
        invitation = _invite(admin, program)
        old = timezone.now() - timedelta(days=20)
        ParticipantInvitation.objects.filter(pk=invitation.pk).update(
            created_at=old, expires_at=old + timedelta(days=14)
        )
        again = _invite(admin, program)
        assert again.pk == invitation.pk and again.state == "pending"
        assert again.created_at > old + timedelta(days=19)
        assert again.expires_at > timezone.now() + timedelta(days=13)
        client.force_login(admin)
        page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
        assert f"invited {again.created_at:%-d %b %Y}" in page
        assert f"expires {again.expires_at:%-d %b %Y}" in page
        assert "<strong>expired" not in page

    def test_the_migration_gives_waiting_admin_invitations_an_expiry(self, program, admin):
        from importlib import import_module

        from django.apps import apps

        migration = import_module(
            "tandem.programs.migrations.0004_admin_invitations_expire_and_withdraw"
        )
        waiting = _invite(admin, program)
        imported = ParticipantInvitation.objects.create(
            program=program, email="m@example.org", role=Role.MENTEE, token="t" * 43
        )
        ParticipantInvitation.objects.update(expires_at=None)
        migration.forwards(apps, None)
        waiting.refresh_from_db()
        imported.refresh_from_db()
        assert waiting.expires_at == waiting.created_at + timedelta(days=ADMIN_INVITATION_DAYS)
        assert imported.expires_at is None
        assert migration.DAYS == ADMIN_INVITATION_DAYS


class TestWithdraw:
    def test_a_withdrawn_invitation_no_longer_works_and_leaves_the_list(
        self, client, program, admin
    ):
        invitation = _invite(admin, program)
        client.force_login(admin)
        url = reverse("program_admin_invitation_withdraw", args=[program.slug, invitation.pk])
        response = client.post(url, {"confirm": "yes"}, follow=True)
        page = response.content.decode()
        assert "Withdrew the invitation to new@example.org: its link no longer works." in page
        assert "Invited, not answered yet" not in page
        person = UserFactory(email="new@example.org")
        with pytest.raises(ApplicationError) as refused:
            _accept(person, invitation)
        assert "withdrew this invitation" in refused.value.message
        assert not _is_admin(person, program)
        client.force_login(person)
        page = client.get(reverse("participant_invitation", args=[invitation.token]))
        assert "withdrew this invitation" in page.content.decode()

    def test_the_list_shows_a_withdraw_button_per_invitation(self, client, program, admin):
        invitation = _invite(admin, program)
        client.force_login(admin)
        page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
        url = reverse("program_admin_invitation_withdraw", args=[program.slug, invitation.pk])
        assert f'action="{url}"' in page
        assert 'aria-label="Withdraw the invitation to new@example.org"' in page

    def test_inviting_again_after_withdrawing_works(self, program, admin):
        invitation = _invite(admin, program)
        services.program_admin_invitation_withdraw(
            user=admin, program_id=program.pk, invitation_id=invitation.pk
        )
        again = _invite(admin, program)
        assert again.state == "pending"
        person = UserFactory(email="new@example.org")
        _accept(person, again)
        assert _is_admin(person, program)

    @pytest.mark.parametrize("answer", ["accepted", "declined", "withdrawn"])
    def test_an_answered_or_withdrawn_invitation_is_refused(self, program, admin, answer):
        invitation = _invite(admin, program)
        setattr(invitation, f"{answer}_at", timezone.now())
        invitation.save()
        with pytest.raises(ApplicationError) as refused:
            services.program_admin_invitation_withdraw(
                user=admin, program_id=program.pk, invitation_id=invitation.pk
            )
        assert refused.value.status == 409 and "new@example.org" in refused.value.message

    def test_an_expired_invitation_can_be_withdrawn(self, program, admin):
        invitation = _invite(admin, program)
        ParticipantInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        done = services.program_admin_invitation_withdraw(
            user=admin, program_id=program.pk, invitation_id=invitation.pk
        )
        assert done.state == "withdrawn"
        assert not selectors.admin_invitation_list(program=program).exists()

    def test_another_programs_or_an_import_invitation_is_not_found(self, program, admin):
        other = ProgramFactory()
        theirs = _invite(admin_of(other), other)
        imported = ParticipantInvitation.objects.create(
            program=program, email="m@example.org", role=Role.MENTEE, token="t" * 43
        )
        for invitation_id in (theirs.pk, imported.pk, 2**70):
            with pytest.raises(NotFound):
                services.program_admin_invitation_withdraw(
                    user=admin, program_id=program.pk, invitation_id=invitation_id
                )
        assert theirs.state == "pending"
        assert ParticipantInvitation.objects.get(pk=imported.pk).withdrawn_at is None


class TestInviterNoLongerAdmin:
    @pytest.mark.parametrize("gone", ["removed", "paused", "deactivated", "deleted"])
    def test_acceptance_is_refused_with_a_clear_message(self, program, admin, gone):
        other_admin = admin_of(program)  # so the program keeps an admin
        inviter = admin_of(program)
        invitation = _invite(inviter, program)
        if gone == "deactivated":
            inviter.is_active = False
            inviter.save(update_fields=["is_active"])
        elif gone == "deleted":
            inviter.delete()
        else:
            Enrolment.objects.filter(person=inviter, role=Role.ADMIN).update(status=gone)
        person = UserFactory(email="new@example.org")
        with pytest.raises(ApplicationError) as refused:
            _accept(person, invitation)
        assert refused.value.status == 409
        assert "who invited you, is no longer an admin of" in refused.value.message
        assert "Ask a current admin" in refused.value.message
        assert not Enrolment.objects.filter(person=person).exists()
        assert ParticipantInvitation.objects.get(pk=invitation.pk).state == "pending"
        assert other_admin.pk not in _told()

    def test_the_page_shows_the_refusal_not_you_joined(self, client, program, admin):
        inviter = admin_of(program)
        invitation = _invite(inviter, program)
        Enrolment.objects.filter(person=inviter, role=Role.ADMIN).update(status=REMOVED)
        person = UserFactory(email="new@example.org")
        client.force_login(person)
        url = reverse("participant_invitation", args=[invitation.token])
        page = client.post(url, {"answer": "accept"}, follow=True).content.decode()
        assert "is no longer an admin of" in page
        assert "You joined" not in page and "now an admin" not in page


class TestAgreesWithMakeAdmin:
    @pytest.mark.parametrize("status", [PAUSED, REMOVED])
    def test_inviting_someone_whose_admin_role_is_stopped_is_refused_like_make_admin(
        self, program, admin, status
    ):
        person = UserFactory(first_name="Ann", last_name="Lee", email="ann@example.org")
        enrol(person, program, Role.ADMIN, status=status)
        with pytest.raises(ApplicationError) as refused:
            _invite(admin, program, "ANN@example.org")
        message = ADMIN_PAUSED.format(name="Ann Lee", status=status.label.lower())
        assert (refused.value.status, refused.value.message) == (409, message)
        assert refused.value.fields == {"email": message}
        assert not ParticipantInvitation.objects.exists()

    def test_inviting_a_deactivated_account_is_refused_like_make_admin(self, program, admin):
        person = UserFactory(
            first_name="Ann", last_name="Lee", email="ann@example.org", is_active=False
        )
        enrol(person, program, Role.MENTEE)
        with pytest.raises(ApplicationError) as refused:
            _invite(admin, program, person.email)
        message = PROMOTE_DEACTIVATED.format(name="Ann Lee")
        assert (refused.value.status, refused.value.fields) == (409, {"email": message})
        assert not ParticipantInvitation.objects.exists()

    def test_a_deactivated_account_outside_the_program_is_invited_like_an_unknown_address(
        self, client, program, admin
    ):
        """Live privacy review: any program admin typed an address and read whether it had
        an account, that it was deactivated, and its owner's name."""
        person = UserFactory(
            first_name="Ann", last_name="Lee", email="ann@example.org", is_active=False
        )
        enrol(person, ProgramFactory(), Role.MENTEE)
        client.force_login(admin)
        url = f"/api/programs/{program.slug}/admins/invitations"
        answers = [
            client.post(url, {"email": email}, content_type="application/json")
            for email in ("ann@example.org", "nobody@example.org")
        ]
        assert [answer.status_code for answer in answers] == [201, 201]
        known, unknown = (answer.json() for answer in answers)
        assert known.keys() == unknown.keys()
        assert "Ann" not in str(known)
        invitation = ParticipantInvitation.objects.get(email="ann@example.org")
        with pytest.raises(ApplicationError):
            _accept(person, invitation)
        assert not _is_admin(person, program)

    def test_the_page_shows_the_refusal_on_the_email_field(self, client, program, admin):
        person = UserFactory(first_name="Ann", last_name="Lee", email="ann@example.org")
        enrol(person, program, Role.ADMIN, status=PAUSED)
        client.force_login(admin)
        url = reverse("program_admin_invite", args=[program.slug])
        response = client.post(url, {"email": "ann@example.org"})
        assert response.status_code == 400
        assert "Ann Lee&#x27;s admin role is paused" in response.content.decode()

    @pytest.mark.parametrize("status", [PAUSED, REMOVED])
    def test_a_role_stopped_after_the_invite_is_refused_at_acceptance(
        self, client, program, admin, status
    ):
        """Before: paused stayed paused under "You joined"; removed turned into "asks to join
        as program admin"."""
        person = UserFactory(email="ann@example.org")
        invitation = _invite(admin, program, person.email)
        stopped = enrol(person, program, Role.ADMIN, status=status)
        with pytest.raises(ApplicationError) as refused:
            _accept(person, invitation)
        assert refused.value.status == 409
        assert f"Your admin role in {program.name} is {status.label.lower()}" in (
            refused.value.message
        )
        assert Enrolment.objects.get(pk=stopped.pk).status == status
        assert not _is_admin(person, program)
        assert not Notification.objects.filter(kind=Kind.JOIN_PENDING).exists()
        client.force_login(person)
        url = reverse("participant_invitation", args=[invitation.token])
        page = client.post(url, {"answer": "accept"}, follow=True).content.decode()
        assert "Your admin role in" in page
        assert "You joined" not in page and "asks to join" not in page

    def test_a_deactivated_account_cannot_accept(self, program, admin):
        person = UserFactory(email="ann@example.org")
        invitation = _invite(admin, program, person.email)
        person.is_active = False
        person.save(update_fields=["is_active"])
        with pytest.raises(ApplicationError) as refused:
            _accept(person, invitation)
        assert "deactivated" in refused.value.message
        assert not Enrolment.objects.filter(person=person).exists()

    def test_accepting_makes_an_active_admin_and_says_so(self, client, program, admin):
        person = UserFactory(email="ann@example.org")
        invitation = _invite(admin, program, person.email)
        client.force_login(person)
        url = reverse("participant_invitation", args=[invitation.token])
        page = client.post(url, {"answer": "accept"}, follow=True).content.decode()
        assert f"You are now an admin of {program.name}." in page
        assert _is_admin(person, program)


class TestOtherAdminsHear:
    def test_make_admin_tells_the_other_active_admins_only(self, program, admin):
        other = admin_of(program)
        paused = UserFactory()
        enrol(paused, program, Role.ADMIN, status=PAUSED)
        elsewhere = admin_of(ProgramFactory())
        mentee = EnrolmentFactory(program=program, person=UserFactory(first_name="Ann"))
        services.program_admin_promote(user=admin, program_id=program.pk, enrolment_id=mentee.pk)
        told = _told()
        assert set(told) == {other.pk}
        assert told[other.pk].title == (
            f"{mentee.person.display_name} is now an admin of {program.name}"
        )
        assert f"{admin.display_name} made them an admin." in told[other.pk].body
        assert told[other.pk].url.endswith("?role=admin")
        assert elsewhere.pk not in told and paused.pk not in told

    def test_accepting_tells_the_other_admins_and_the_inviter(self, program, admin):
        other = admin_of(program)
        person = UserFactory(email="ann@example.org")
        _accept(person, _invite(admin, program, person.email))
        told = _told()
        assert set(told) == {admin.pk, other.pk}
        assert "accepted an invitation" in told[admin.pk].body

    def test_nothing_about_anyones_pairs_is_in_it(self, program, admin):
        other = admin_of(program)
        mentee = EnrolmentFactory(program=program, answers={"Why join?": "Secret reason"})
        services.program_admin_promote(user=admin, program_id=program.pk, enrolment_id=mentee.pk)
        notice = _told()[other.pk]
        assert "Secret" not in notice.title + notice.body
        assert notice.kind == Kind.ADMIN_ADDED

    def test_a_refused_acceptance_tells_nobody(self, program, admin):
        admin_of(program)
        person = UserFactory(email="ann@example.org")
        invitation = _invite(admin, program, person.email)
        enrol(person, program, Role.ADMIN, status=PAUSED)
        with pytest.raises(ApplicationError):
            _accept(person, invitation)
        assert not _told()


def _waiting(invitation) -> bool:
    return ParticipantInvitation.objects.get(pk=invitation.pk).state == "pending"


@pytest.mark.parametrize("role", CAST_ROLES)
def test_withdraw_service_per_role(program, admin, cast, role):
    invitation = _invite(admin, program)
    withdraw = services.program_admin_invitation_withdraw
    if role == "program admin":
        assert withdraw(user=cast[role], program_id=program.pk, invitation_id=invitation.pk)
    else:
        with pytest.raises(NotFound):
            withdraw(user=cast[role], program_id=program.pk, invitation_id=invitation.pk)
    assert _waiting(invitation) is (role != "program admin")


@pytest.mark.parametrize("role", CAST_ROLES)
def test_withdraw_page_per_role(client, program, admin, cast, role):
    invitation = _invite(admin, program)
    if role != "anonymous":
        client.force_login(cast[role])
    url = reverse("program_admin_invitation_withdraw", args=[program.slug, invitation.pk])
    response = client.post(url, {"confirm": "yes"})
    expected = {"program admin": 302, "anonymous": 302}.get(role, 404)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/login" in response["Location"]
    assert client.get(url).status_code in (302, 404, 405)
    assert _waiting(invitation) is (role != "program admin")


@pytest.mark.parametrize("role", CAST_ROLES)
def test_withdraw_endpoint_per_role(client, program, admin, cast, role):
    invitation = _invite(admin, program)
    if role != "anonymous":
        client.force_login(cast[role])
    url = f"/api/programs/{program.slug}/admins/invitations/{invitation.pk}/withdraw"
    response = client.post(url)
    if role == "program admin":
        assert response.status_code == 200
        assert response.json()["state"] == "withdrawn"
        again = client.post(url)
        assert again.status_code == 409 and "already withdrawn" in again.json()["detail"]
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
    assert _waiting(invitation) is (role != "program admin")


def test_the_invite_endpoint_shows_the_expiry_and_refuses_a_paused_admin(client, program, admin):
    client.force_login(admin)
    url = f"/api/programs/{program.slug}/admins/invitations"
    made = client.post(url, {"email": "x@example.org"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["expires_at"]
    paused = UserFactory(email="p@example.org")
    enrol(paused, program, Role.ADMIN, status=PAUSED)
    refused = client.post(url, {"email": "p@example.org"}, content_type="application/json")
    assert refused.status_code == 409 and "paused" in refused.json()["fields"]["email"]
