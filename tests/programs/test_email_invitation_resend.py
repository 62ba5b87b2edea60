"""An invitation by email that went and was not answered can be sent again (*Resend* under
Recently sent, ``.../resend`` in the API), with the same link, by the program's admins: not
within an hour of the last email, not before it first went, not once answered (methods review:
a duplicate invitation is rightly not mailed twice, and there was then no way to mail it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.programs.imports import invitations
from tandem.programs.models import ParticipantInvitation
from tests.programs.factories import ProgramFactory, UserFactory, admin_of
from tests.programs.test_import import run_on_commit
from tests.programs.test_invite_by_email import invite

pytestmark = pytest.mark.django_db


def _sent_hours_ago(program, admin, hours=2, email="ana@example.org"):
    invitation = invite(program, admin, email).invited[0]
    sent_at = timezone.now() - timedelta(hours=hours)
    ParticipantInvitation.objects.filter(pk=invitation.pk).update(sent_at=sent_at)
    mail.outbox.clear()
    return invitation


def _resend(admin, program, invitation):
    return run_on_commit(
        invitations.participant_invitation_resend,
        user=admin,
        program_id=program.pk,
        invitation_id=invitation.pk,
    )


def test_a_sent_unanswered_invitation_goes_again_with_its_link(program, admin):
    invitation = _sent_hours_ago(program, admin)
    _resend(admin, program, invitation)
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert f"/invited/{invitation.token}/" in mail.outbox[0].body  # the same link
    again = ParticipantInvitation.objects.get(pk=invitation.pk)
    assert again.token == invitation.token and again.sent_at > timezone.now() - timedelta(1)


def test_an_account_never_used_gets_the_set_password_link_again(program, admin):
    account = UserFactory(email="new@example.org", last_login=None)
    account.set_unusable_password()
    account.save()
    invitation = _sent_hours_ago(program, admin, email="new@example.org")
    _resend(admin, program, invitation)
    assert "password" in mail.outbox[0].body.lower()


def test_not_within_an_hour_of_the_last_email(program, admin):
    invitation = _sent_hours_ago(program, admin, hours=0)
    with pytest.raises(ApplicationError) as refused:
        _resend(admin, program, invitation)
    assert refused.value.status == 409 and "an hour after that" in refused.value.message
    assert mail.outbox == []


@pytest.mark.parametrize("answer", ["accepted_at", "declined_at", "withdrawn_at"])
def test_an_answered_or_withdrawn_one_is_not_sent_again(program, admin, answer):
    invitation = _sent_hours_ago(program, admin)
    ParticipantInvitation.objects.filter(pk=invitation.pk).update(**{answer: timezone.now()})
    with pytest.raises(ApplicationError) as refused:
        _resend(admin, program, invitation)
    assert refused.value.status == 409 and "invite them again" in refused.value.message
    assert mail.outbox == []


def test_one_not_sent_yet_is_sent_from_its_own_list(program, admin):
    held = invite(program, admin, "later@example.org", send_at=timezone.now() + timedelta(1))
    with pytest.raises(ApplicationError) as refused:
        _resend(admin, program, held.invited[0])
    assert "has not gone yet" in refused.value.message and mail.outbox == []


def test_another_programs_invitation_is_not_found(program, admin):
    other = ProgramFactory()
    invitation = _sent_hours_ago(other, admin_of(other))
    with pytest.raises(NotFound):
        _resend(admin, program, invitation)


def test_the_page_offers_resend_and_it_sends(
    client, program, admin, django_capture_on_commit_callbacks
):
    invitation = _sent_hours_ago(program, admin)
    client.force_login(admin)
    page = client.get(reverse("program_email_invitations", args=[program.slug])).content.decode()
    url = reverse("program_email_invitation_resend", args=[program.slug, invitation.pk])
    assert f'action="{url}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, follow=True)
    assert "Sending the invitation to ana@example.org again" in done.content.decode()
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    twice = client.post(url, follow=True).content.decode()
    assert "an hour after that" in twice and len(mail.outbox) == 1


def test_the_api_resends(client, program, admin, django_capture_on_commit_callbacks):
    invitation = _sent_hours_ago(program, admin)
    client.force_login(admin)
    url = f"/api/programs/{program.slug}/email-invitations/{invitation.pk}/resend"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, content_type="application/json")
    assert sent.status_code == 202 and sent.json()["email"] == "ana@example.org"
    assert client.post(url, content_type="application/json").status_code == 409
    assert len(mail.outbox) == 1


def test_resend_is_offered_only_where_it_would_be_taken(client, program, admin):
    """Journeys review: Resend was offered on an invitation sent a minute before, which the
    service then refused."""
    old = _sent_hours_ago(program, admin, hours=2, email="old@example.org")
    new = _sent_hours_ago(program, admin, hours=0, email="new@example.org")
    client.force_login(admin)
    page = client.get(reverse("program_email_invitations", args=[program.slug])).content.decode()
    for invitation, offered in ((old, True), (new, False)):
        url = reverse("program_email_invitation_resend", args=[program.slug, invitation.pk])
        assert (f'action="{url}"' in page) is offered, invitation.email
