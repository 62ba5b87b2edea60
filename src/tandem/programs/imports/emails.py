"""The invitation emails of a participant import, sent by background tasks after it commits.

A file of 26,000 new addresses means 26,000 messages: building and sending them inside the
import (or in one callback after it) would keep the import's task busy for minutes, and one
task per message would mean 26,000 queue rows. The import queues one task per
``EMAILS_PER_TASK`` invitations on commit; each task reads its invitations in one query and
sends its messages over one connection.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from tandem.people.models import User
from tandem.programs.models import ParticipantInvitation

EMAILS_PER_TASK = 500
INVITE_SUBJECT = "You are invited to join {program} on Tandem"
INVITE_BODY = """Hello,

{program} uses Tandem to run its mentoring program, and its admin invited you to join as a {role}.
Nothing changes until you accept; you can also decline.{until}
{password}
Accept or decline:
{link}

If you did not expect this email you can ignore it.
"""
INVITE_PASSWORD = """
Tandem made an account for this address. Set a password first:
{link}
"""


def invitation_emails_queue(*, tokens: list[str], new_accounts: set[str]) -> int:
    """Queue the emails of the invitations with ``tokens`` (call on commit): one task per
    ``EMAILS_PER_TASK``; an address whose account the import created also gets a link to set
    a password. Returns the number of tasks queued."""
    batches = []
    for start in range(0, len(tokens), EMAILS_PER_TASK):
        found = ParticipantInvitation.objects.filter(
            token__in=tokens[start : start + EMAILS_PER_TASK]
        ).values_list("pk", "email")
        batches.append(
            (
                [pk for pk, _ in found],
                [pk for pk, email in found if email in new_accounts],
            )
        )
    with transaction.atomic():  # one write for all the queue rows
        for invitation_ids, set_password_ids in batches:
            import_invitations_send_task.enqueue(
                invitation_ids=invitation_ids, set_password_ids=set_password_ids
            )
    return len(batches)


def invitation_emails_send(*, invitation_ids: list[int], set_password_ids: list[int]) -> int:
    """Email each still-pending invitation of ``invitation_ids``; returns how many were sent."""
    invitations = list(
        ParticipantInvitation.objects.select_related("program").filter(
            pk__in=invitation_ids, accepted_at=None, declined_at=None, withdrawn_at=None
        )
    )
    with_password = set(set_password_ids)
    accounts = {
        user.email: user
        for user in User.objects.filter(
            email__in=[i.email for i in invitations if i.pk in with_password]
        )
    }
    messages = [
        EmailMessage(
            subject=INVITE_SUBJECT.format(program=invitation.program.name),
            body=INVITE_BODY.format(
                program=invitation.program.name,
                role=invitation.get_role_display().lower(),
                until=_until(invitation),
                password=(
                    INVITE_PASSWORD.format(link=_password_link(accounts[invitation.email]))
                    if invitation.email in accounts
                    else ""
                ),
                link=settings.SITE_URL
                + reverse("participant_invitation", kwargs={"token": invitation.token}),
            ),
            to=[invitation.email],
        )
        for invitation in invitations
    ]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def _until(invitation: ParticipantInvitation) -> str:
    if invitation.expires_at is None:
        return ""
    day = timezone.localtime(invitation.expires_at)
    return f"\nThe link works until {day.day} {day:%B %Y}."


# Below the default: 26,000 emails must not hold up the checks and writes (or a password reset)
# queued after them.
@task(priority=-10)
def import_invitations_send_task(invitation_ids: list[int], set_password_ids: list[int]) -> int:
    """Email one share of an import's invitations (queued on commit); returns how many."""
    return invitation_emails_send(invitation_ids=invitation_ids, set_password_ids=set_password_ids)


def _password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    try:
        path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    except NoReverseMatch:
        path = reverse("login")
    return f"{settings.SITE_URL}{path}"
