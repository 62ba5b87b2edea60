"""A program's admins add admins themselves, without staff status: make a participant an admin,
or invite someone by email; per role through the service, the page and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.programs import selectors, services
from tandem.programs.imports import services as import_services
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Role
from tandem.programs.services.admins import INVITE_BAD_EMAIL, PROMOTE_NOT_MEMBER
from tests.programs.factories import (
    CAST_ROLES,
    EnrolmentFactory,
    UserFactory,
    enrol,
)
from tests.programs.test_import import run_on_commit

pytestmark = pytest.mark.django_db


def _is_admin(person, program) -> bool:
    return selectors.is_program_admin(user=person, program_id=program.pk)


class TestPromote:
    @pytest.mark.parametrize("status", [EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED])
    def test_a_member_becomes_an_admin_too(self, program, admin, status):
        mentor = enrol(UserFactory(), program, Role.MENTOR, status=status)
        made = services.program_admin_promote(
            user=admin, program_id=program.pk, enrolment_id=mentor.pk
        )
        assert (made.person, made.role, made.status) == (mentor.person, Role.ADMIN, "active")
        assert Enrolment.objects.get(pk=mentor.pk).status == status  # their mentoring stays
        assert _is_admin(mentor.person, program)

    @pytest.mark.parametrize("status", [EnrolmentStatus.PENDING, EnrolmentStatus.REMOVED])
    def test_someone_not_in_the_program_now_is_refused_by_name(self, program, admin, status):
        enrolment = enrol(UserFactory(first_name="Ann", last_name="Lee"), program, status=status)
        with pytest.raises(ApplicationError) as refused:
            services.program_admin_promote(
                user=admin, program_id=program.pk, enrolment_id=enrolment.pk
            )
        assert refused.value.status == 409
        assert refused.value.message == PROMOTE_NOT_MEMBER.format(
            name="Ann Lee", status=enrolment.get_status_display().lower(), program=program
        )
        assert not _is_admin(enrolment.person, program)

    def test_an_admin_already_is_refused(self, program, admin):
        both = enrol(UserFactory(), program)
        enrol(both.person, program, Role.ADMIN)
        with pytest.raises(ApplicationError) as refused:
            services.program_admin_promote(user=admin, program_id=program.pk, enrolment_id=both.pk)
        assert "is already an admin" in refused.value.message
        assert Enrolment.objects.filter(person=both.person, role=Role.ADMIN).count() == 1

    def test_a_removed_admin_role_comes_back(self, program, admin):
        member = enrol(UserFactory(), program)
        old = enrol(member.person, program, Role.ADMIN, status=EnrolmentStatus.REMOVED)
        made = services.program_admin_promote(
            user=admin, program_id=program.pk, enrolment_id=member.pk
        )
        assert made.pk == old.pk and made.status == EnrolmentStatus.ACTIVE

    def test_a_deactivated_account_is_refused(self, program, admin):
        member = enrol(UserFactory(is_active=False), program)
        with pytest.raises(ApplicationError):
            services.program_admin_promote(
                user=admin, program_id=program.pk, enrolment_id=member.pk
            )
        assert not Enrolment.objects.filter(person=member.person, role=Role.ADMIN).exists()

    def test_the_new_admin_runs_the_program_and_the_last_admin_stays(self, program, admin):
        member = enrol(UserFactory(), program)
        made = services.program_admin_promote(
            user=admin, program_id=program.pk, enrolment_id=member.pk
        )
        first = Enrolment.objects.get(program=program, person=admin, role=Role.ADMIN)
        services.enrolment_set_status(
            user=made.person, program_id=program.pk, enrolment_id=first.pk, action="remove"
        )
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status(
                user=made.person, program_id=program.pk, enrolment_id=made.pk, action="remove"
            )
        assert refused.value.message == services.LAST_ADMIN


class TestInvite:
    def test_emails_a_link_and_accepting_makes_an_admin(self, program, admin, mailoutbox):
        invitation = run_on_commit(
            services.program_admin_invite,
            user=admin,
            program_id=program.pk,
            email=" New.Admin@Example.org ",
        )
        assert (invitation.email, invitation.role) == ("New.Admin@Example.org", Role.ADMIN)
        [mail] = mailoutbox
        assert mail.to == ["New.Admin@Example.org"]
        assert "as a program admin" in mail.body
        assert reverse("participant_invitation", args=[invitation.token]) in mail.body
        person = UserFactory(email="New.Admin@Example.org")
        import_services.participant_invitation_answer(
            user=person, token=invitation.token, accept=True
        )
        assert _is_admin(person, program)

    def test_asking_again_says_when_it_was_sent_and_resend_sends_a_new_link(
        self, program, admin, mailoutbox
    ):
        """A second invite to a waiting address mailed it again without a word (review: an
        admin expects a duplicate to be told, and a resend to be asked for)."""
        first = run_on_commit(
            services.program_admin_invite, user=admin, program_id=program.pk, email="a@example.org"
        )
        old_token = first.token
        with pytest.raises(ApplicationError) as refused:
            run_on_commit(
                services.program_admin_invite,
                user=admin,
                program_id=program.pk,
                email="A@example.org",
            )
        assert refused.value.status == 409 and "already invited on " in refused.value.message
        assert "email" in refused.value.fields and len(mailoutbox) == 1
        again = run_on_commit(
            services.program_admin_invitation_resend,
            user=admin,
            program_id=program.pk,
            invitation_id=first.pk,
        )
        assert again.pk == first.pk and again.token != old_token
        assert len(mailoutbox) == 2
        assert ParticipantInvitation.objects.filter(program=program).count() == 1

    @pytest.mark.parametrize("email", ["", "not-an-email", "a@", "x" * 300 + "@example.org"])
    def test_a_bad_address_is_a_field_error(self, program, admin, email, mailoutbox):
        with pytest.raises(ApplicationError) as refused:
            services.program_admin_invite(user=admin, program_id=program.pk, email=email)
        assert refused.value.fields == {"email": INVITE_BAD_EMAIL}
        assert not ParticipantInvitation.objects.exists() and not mailoutbox

    def test_an_admin_already_is_refused(self, program, admin):
        with pytest.raises(ApplicationError) as refused:
            services.program_admin_invite(
                user=admin, program_id=program.pk, email=admin.email.upper()
            )
        assert refused.value.status == 409 and "already an admin" in refused.value.message


def _no_new_admins(program, mentee) -> bool:
    return (
        not Enrolment.objects.filter(person=mentee.person, role=Role.ADMIN).exists()
        and not ParticipantInvitation.objects.filter(program=program).exists()
    )


@pytest.mark.parametrize("role", CAST_ROLES)
def test_the_services_per_role(program, cast, role):
    mentee = EnrolmentFactory(program=program)
    user = cast[role]
    writes = [
        lambda: services.program_admin_promote(
            user=user, program_id=program.pk, enrolment_id=mentee.pk
        ),
        lambda: services.program_admin_invite(
            user=user, program_id=program.pk, email="x@example.org"
        ),
    ]
    for write in writes:
        if role == "program admin":
            assert write() is not None
        else:
            with pytest.raises(NotFound):
                write()
    assert _no_new_admins(program, mentee) is (role != "program admin")


@pytest.mark.parametrize("role", CAST_ROLES)
def test_the_pages_per_role(client, program, cast, role):
    mentee = EnrolmentFactory(program=program)
    if role != "anonymous":
        client.force_login(cast[role])
    promote = client.post(
        reverse("program_participant_make_admin", args=[program.slug, mentee.pk]),
        {"confirm": "yes"},
    )
    invite = client.post(
        reverse("program_admin_invite", args=[program.slug]), {"email": "x@example.org"}
    )
    expected = {"program admin": 302, "anonymous": 302}.get(role, 404)
    assert (promote.status_code, invite.status_code) == (expected, expected)
    if role == "anonymous":
        assert "/login" in promote["Location"] and "/login" in invite["Location"]
    assert _no_new_admins(program, mentee) is (role != "program admin")


@pytest.mark.parametrize("role", CAST_ROLES)
def test_the_endpoints_per_role(client, program, cast, role):
    mentee = EnrolmentFactory(program=program)
    if role != "anonymous":
        client.force_login(cast[role])
    base = f"/api/programs/{program.slug}"
    promote = client.post(f"{base}/participants/{mentee.pk}/make-admin")
    invite = client.post(
        f"{base}/admins/invitations", {"email": "x@example.org"}, content_type="application/json"
    )
    if role == "program admin":
        assert promote.status_code == 200 and promote.json()["role"] == Role.ADMIN
        assert invite.status_code == 201 and invite.json()["state"] == "pending"
    else:
        refused = 401 if role == "anonymous" else 404
        assert (promote.status_code, invite.status_code) == (refused, refused)
    assert _no_new_admins(program, mentee) is (role != "program admin")


class TestPeoplePage:
    def test_make_admin_shows_for_members_who_are_not_admins(self, client, program, admin):
        member = EnrolmentFactory(program=program)
        pending = EnrolmentFactory(program=program, status=EnrolmentStatus.PENDING)
        both = EnrolmentFactory(program=program, role=Role.MENTOR)
        enrol(both.person, program, Role.ADMIN)
        client.force_login(admin)
        page = client.get(reverse("program_participants", args=[program.slug])).content.decode()

        def offered(enrolment):
            url = reverse("program_participant_make_admin", args=[program.slug, enrolment.pk])
            return url in page

        assert offered(member)
        assert not offered(pending) and not offered(both)
        assert "Invite as admin" in page

    def test_promote_says_what_happened(self, client, program, admin):
        member = EnrolmentFactory(program=program, person=UserFactory(first_name="Ann"))
        client.force_login(admin)
        url = reverse("program_participant_make_admin", args=[program.slug, member.pk])
        page = client.post(url, {"confirm": "yes"}, follow=True).content.decode()
        assert "is now an admin of" in page
        page = client.post(url, {"confirm": "yes"}, follow=True).content.decode()
        assert "is already an admin of" in page

    def test_a_bad_invite_keeps_the_address_and_says_why(self, client, program, admin):
        client.force_login(admin)
        url = reverse("program_admin_invite", args=[program.slug])
        response = client.post(url, {"email": "not-an-email"})
        assert response.status_code == 400
        page = response.content.decode()
        assert 'value="not-an-email"' in page and "Enter a valid email address." in page
        response = client.post(url, {"email": admin.email})
        assert "already an admin" in response.content.decode()

    def test_an_invite_is_listed_until_answered(self, client, program, admin):
        client.force_login(admin)
        response = client.post(
            reverse("program_admin_invite", args=[program.slug]),
            {"email": "new@example.org"},
            follow=True,
        )
        page = response.content.decode()
        assert "Invited new@example.org to be an admin" in page
        assert 'new@example.org <span class="muted">invited' in page
