"""Revoking an invitation link, withdrawing an admin invitation, removing a participant
(declining a request to join) and making a participant an admin ask first: a GET or a POST
without ``confirm=yes`` shows what will happen and changes nothing; the confirmed POST acts.
Who may do it is unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.programs import services
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    Invitation,
    ParticipantInvitation,
    Role,
)
from tests.programs.factories import CAST_ROLES, EnrolmentFactory, InvitationFactory


def _revoke(program):
    invitation = InvitationFactory(program=program)
    url = reverse("program_invitation_revoke", args=[program.slug, invitation.pk])
    return url, lambda: Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def _withdraw(program, admin):
    invitation = services.program_admin_invite(
        user=admin, program_id=program.pk, email="new@example.org"
    )
    url = reverse("program_admin_invitation_withdraw", args=[program.slug, invitation.pk])
    return url, lambda: ParticipantInvitation.objects.get(pk=invitation.pk).withdrawn_at is not None


def _remove(program, status):
    enrolment = EnrolmentFactory(program=program, status=status)
    url = reverse("program_participant_action", args=[program.slug, enrolment.pk, "remove"])
    return url, lambda: Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REMOVED


def _make_admin(program):
    enrolment = EnrolmentFactory(program=program, status=EnrolmentStatus.ACTIVE)
    url = reverse("program_participant_make_admin", args=[program.slug, enrolment.pk])
    return url, lambda: Enrolment.objects.filter(
        program=program, person=enrolment.person, role=Role.ADMIN
    ).exists()


def _action(name, program, admin):
    if name == "make_admin":
        return _make_admin(program)
    if name in ("decline", "remove"):
        status = EnrolmentStatus.PENDING if name == "decline" else EnrolmentStatus.ACTIVE
        return _remove(program, status)
    return _revoke(program) if name == "revoke" else _withdraw(program, admin)


NAMES = ["revoke", "withdraw", "decline", "remove", "make_admin"]


SAYS = {
    "revoke": ["Revoke this invitation link?", "stops working at once", "cannot be undone"],
    "withdraw": ["Withdraw this admin invitation?", "new@example.org", "cannot be undone"],
    "decline": ["request to join", "they do not join the program", "Nobody is told"],
    "remove": ["Remove ", "Mentorships they already have are not ended", "Reactivate"],
    "make_admin": [" an admin of ", "add or remove admins", "The other admins get a notice"],
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_without_confirmation_it_asks_and_changes_nothing(client, program, admin, name, method):
    url, done = _action(name, program, admin)
    client.force_login(admin)
    response = getattr(client, method)(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert all(text in page for text in SAYS[name])
    assert f'action="{url}"' in page and 'name="confirm" value="yes"' in page
    assert not done()


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_confirm_value_changes_nothing(client, program, admin, name):
    url, done = _action(name, program, admin)
    client.force_login(admin)
    assert client.post(url, {"confirm": "no"}).status_code == 200
    assert not done()


@pytest.mark.parametrize("name", NAMES)
def test_the_confirmed_post_acts(client, program, admin, name):
    url, done = _action(name, program, admin)
    client.force_login(admin)
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert done()


@pytest.mark.parametrize("name", NAMES)
def test_htmx_is_sent_to_the_confirmation_page(client, program, admin, name):
    url, done = _action(name, program, admin)
    client.force_login(admin)
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == url
    assert not done()


@pytest.mark.parametrize("role", [r for r in CAST_ROLES if r != "program admin"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("confirm", [{}, {"confirm": "yes"}])
def test_nobody_else_sees_the_question_or_acts(client, program, admin, cast, role, name, confirm):
    url, done = _action(name, program, admin)
    user = cast[role]
    if user.is_authenticated:
        client.force_login(user)
    response = client.post(url, confirm)
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/login/")
    else:
        assert response.status_code == 404
    assert not done()


def test_other_participant_actions_do_not_ask_and_are_post_only(client, program, admin):
    enrolment = EnrolmentFactory(program=program, status=EnrolmentStatus.PENDING)
    client.force_login(admin)
    url = reverse("program_participant_action", args=[program.slug, enrolment.pk, "approve"])
    assert client.get(url).status_code == 405
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.PENDING
    assert client.post(url).status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE


def test_removing_someone_already_removed_says_why_not_without_asking(client, program, admin):
    url, _ = _remove(program, EnrolmentStatus.REMOVED)
    client.force_login(admin)
    page = client.post(url, follow=True).content.decode()
    assert "You cannot remove someone who is removed." in page


def test_declining_many_asks_names_them_and_keeps_the_ticks_and_filters(client, program, admin):
    waiting = [EnrolmentFactory(program=program, status=EnrolmentStatus.PENDING) for _ in range(2)]
    ids = [e.pk for e in waiting]
    client.force_login(admin)
    url = reverse("program_participants_bulk", args=[program.slug]) + "?status=pending"
    page = client.post(url, {"ids": ids, "action": "decline"}).content.decode()
    assert "Decline 2 people awaiting approval?" in page
    assert all(escape(e.person.display_name) in page for e in waiting)
    assert f'action="{escape(url)}"' in page and 'name="confirm" value="yes"' in page
    assert all(f'name="ids" value="{pk}"' in page for pk in ids)
    assert 'name="action" value="decline"' in page
    statuses = lambda: set(Enrolment.objects.filter(pk__in=ids).values_list("status", flat=True))  # noqa: E731
    assert statuses() == {EnrolmentStatus.PENDING}
    response = client.post(url, {"ids": ids, "action": "decline", "confirm": "yes"})
    assert response.status_code == 302 and response.url.endswith("?status=pending")
    assert statuses() == {EnrolmentStatus.REMOVED}


def test_approving_many_does_not_ask(client, program, admin):
    pending = EnrolmentFactory(program=program, status=EnrolmentStatus.PENDING)
    client.force_login(admin)
    url = reverse("program_participants_bulk", args=[program.slug])
    assert client.post(url, {"ids": [pending.pk], "action": "approve"}).status_code == 302
    assert Enrolment.objects.get(pk=pending.pk).status == EnrolmentStatus.ACTIVE


def test_declining_only_people_not_waiting_is_refused_without_asking(client, program, admin):
    active = EnrolmentFactory(program=program, status=EnrolmentStatus.ACTIVE)
    client.force_login(admin)
    url = reverse("program_participants_bulk", args=[program.slug])
    response = client.post(url, {"ids": [active.pk], "action": "decline"})
    assert response.status_code == 409 and "awaiting approval?" not in response.content.decode()
    assert Enrolment.objects.get(pk=active.pk).status == EnrolmentStatus.ACTIVE


def test_making_an_admin_of_an_admin_says_why_not_without_asking(client, program, admin):
    url, _ = _make_admin(program)
    client.force_login(admin)
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    page = client.post(url, follow=True).content.decode()
    assert "is already an admin of" in page and 'name="confirm"' not in page
