"""Sending an admin invitation's email again is explicit: inviting the same address while its
invitation waits for an answer says when it was sent and mails nothing (it mailed a second
time without a word); *Resend* on the people page (and ``.../resend`` in the API) sends a new
link with a new date, for a waiting or expired invitation only, by the program's admins only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.people.models import Profile
from tandem.programs import services
from tandem.programs.models import ParticipantInvitation
from tandem.programs.services.admins import RESEND_ANSWERED, RESEND_WITHDRAWN
from tests.programs.factories import CAST_ROLES, ProgramFactory, admin_of
from tests.programs.test_import import run_on_commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(program, admin):
    """An admin invitation whose email has gone."""
    return run_on_commit(
        services.program_admin_invite, user=admin, program_id=program.pk, email="new@example.org"
    )


def _resend(user, program, invitation):
    return run_on_commit(
        services.program_admin_invitation_resend,
        user=user,
        program_id=program.pk,
        invitation_id=invitation.pk,
    )


def test_inviting_again_on_the_page_says_when_and_mails_nothing(
    client, program, admin, sent, mailoutbox
):
    client.force_login(admin)
    url = reverse("program_admin_invite", args=[program.slug])
    page = client.post(url, {"email": "NEW@example.org"})
    assert page.status_code == 400
    sent_on = timezone.localtime(sent.created_at)
    assert f"already invited on {sent_on.day} {sent_on:%b %Y}" in page.content.decode()
    assert len(mailoutbox) == 1
    assert ParticipantInvitation.objects.get(pk=sent.pk).token == sent.token


def test_the_page_offers_resend_and_it_sends_a_new_link(
    client, program, admin, sent, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    people = client.get(reverse("program_participants", args=[program.slug])).content.decode()
    url = reverse("program_admin_invitation_resend", args=[program.slug, sent.pk])
    assert f'action="{url}"' in people and "Resend the invitation to new@example.org" in people
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url)
    assert page.status_code == 302
    renewed = ParticipantInvitation.objects.get(pk=sent.pk)
    assert renewed.token != sent.token and renewed.expires_at >= sent.expires_at
    assert len(mailoutbox) == 2 and renewed.token in mailoutbox[1].body


def test_an_expired_invitation_is_resent_with_a_new_date(program, admin, sent):
    old = timezone.now() - timedelta(days=20)
    ParticipantInvitation.objects.filter(pk=sent.pk).update(
        created_at=old, expires_at=old + timedelta(days=14)
    )
    renewed = _resend(admin, program, sent)
    assert renewed.state == "pending" and renewed.created_at > old + timedelta(days=19)


@pytest.mark.parametrize(
    ("field", "words"),
    [("accepted_at", RESEND_ANSWERED), ("declined_at", RESEND_ANSWERED), ("withdrawn_at", None)],
)
def test_an_answered_or_withdrawn_invitation_is_not_resent(
    program, admin, sent, mailoutbox, field, words
):
    ParticipantInvitation.objects.filter(pk=sent.pk).update(**{field: timezone.now()})
    with pytest.raises(ApplicationError) as refused:
        _resend(admin, program, sent)
    state = field.removesuffix("_at")
    expected = (words or RESEND_WITHDRAWN).format(email=sent.email, state=state)
    assert refused.value.status == 409 and refused.value.message == expected
    assert len(mailoutbox) == 1


def test_a_double_click_sends_once(program, admin, sent, mailoutbox):
    services.program_admin_invitation_resend(
        user=admin, program_id=program.pk, invitation_id=sent.pk
    )  # its email not gone yet
    with pytest.raises(ApplicationError) as refused:
        _resend(admin, program, sent)
    assert refused.value.status == 409 and "on its way" in refused.value.message


@pytest.mark.parametrize("role", CAST_ROLES)
def test_resend_page_and_endpoint_per_role(client, program, sent, cast, role):
    if role != "anonymous":
        client.force_login(cast[role])
    page = client.post(reverse("program_admin_invitation_resend", args=[program.slug, sent.pk]))
    api = client.post(f"/api/programs/{program.slug}/admins/invitations/{sent.pk}/resend")
    token = ParticipantInvitation.objects.get(pk=sent.pk).token
    if role == "program admin":
        assert page.status_code == 302 and page["Location"].endswith("#admins")
        assert api.status_code == 409  # the page's resend has not gone yet
        assert token != sent.token
    else:
        assert page.status_code in ((302,) if role == "anonymous" else (404,))
        assert api.status_code == (401 if role == "anonymous" else 404)
        assert token == sent.token


def test_another_programs_invitation_is_not_found(program, admin):
    elsewhere = ProgramFactory()
    theirs = services.program_admin_invite(
        user=admin_of(elsewhere), program_id=elsewhere.pk, email="x@example.org"
    )
    with pytest.raises(NotFound):
        services.program_admin_invitation_resend(
            user=admin, program_id=program.pk, invitation_id=theirs.pk
        )


def test_the_day_it_was_sent_is_the_readers(client, program, admin, sent):
    """Sent at 20:00 UTC on 6 December: 7 December for an admin in Auckland, as every date on
    their pages reads (it was the server's day)."""
    sent_at = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    ParticipantInvitation.objects.filter(pk=sent.pk).update(created_at=sent_at)
    Profile.objects.update_or_create(user=admin, defaults={"timezone": "Pacific/Auckland"})
    client.force_login(admin)
    url = reverse("program_admin_invite", args=[program.slug])
    page = client.post(url, {"email": "new@example.org"}).content.decode()
    assert "already invited on 7 Dec 2026" in page
