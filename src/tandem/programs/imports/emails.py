"""The invitation emails of a participant import, sent by background tasks after it commits.

A file of 26,000 new addresses means 26,000 messages: building and sending them inside the
import (or in one callback after it) would keep the import's task busy for minutes, and one
task per message would mean 26,000 queue rows. The import queues one task per
``EMAILS_PER_TASK`` invitations on commit; each task reads its invitations in one query and
sends its messages over one connection.

Each invitation's email goes at most once: sending first *claims* it with one conditional
update (``sent_at`` set where it is still empty, per invitation), so two tasks, or a task and
the periodic job, never both send it. An address the mail server refuses goes back to the held
invitations (an admin sees it there) and the rest still go; a lost connection gives every
claim not yet sent back, for the next try.
Invitations an admin held (``send_after`` empty) go only when an admin sends them; scheduled
ones go with the periodic job (``invitation_emails_send_due``) once ``send_after`` passes.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django_tasks import task

from tandem.core.templatetags.readable_dates import day_in
from tandem.core.text import one_line
from tandem.people.models import User
from tandem.programs.models import ParticipantInvitation

EMAILS_PER_TASK = 500
EMAILS_PER_TICK = 500  # the periodic job sends inline, one connection per tick
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

logger = logging.getLogger(__name__)


def invitation_emails_queue(*, tokens: list[str], new_accounts: set[str]) -> int:
    """Queue the emails of the invitations with ``tokens`` (call on commit): one task per
    ``EMAILS_PER_TASK``; an address whose account the import created also gets a link to set
    a password. Returns the number of tasks queued."""
    found = list(ParticipantInvitation.objects.filter(token__in=tokens).values_list("pk", "email"))
    ids = [pk for pk, _ in found]
    return invitation_emails_queue_ids(
        invitation_ids=ids, set_password_ids=[pk for pk, email in found if email in new_accounts]
    )


def invitation_emails_queue_ids(
    *, invitation_ids: list[int], set_password_ids: list[int] | None = None
) -> int:
    """Queue the emails of ``invitation_ids``, ``EMAILS_PER_TASK`` per task; returns how many
    tasks were queued."""
    with_password = set(set_password_ids or ())
    with transaction.atomic():  # one write for all the queue rows
        for start in range(0, len(invitation_ids), EMAILS_PER_TASK):
            chunk = invitation_ids[start : start + EMAILS_PER_TASK]
            import_invitations_send_task.enqueue(
                invitation_ids=chunk, set_password_ids=[pk for pk in chunk if pk in with_password]
            )
    return -(-len(invitation_ids) // EMAILS_PER_TASK)


UNSENT = Q(sent_at=None, accepted_at=None, declined_at=None, withdrawn_at=None)


def _claim(invitation_ids: list[int], now) -> list[int]:
    """The ids this caller now owns the sending of: one conditional update each, so of two
    callers claiming the same invitation exactly one gets it."""
    return [
        pk
        for pk in invitation_ids
        if ParticipantInvitation.objects.filter(UNSENT, pk=pk).update(sent_at=now)
    ]


def invitation_emails_send(*, invitation_ids: list[int], set_password_ids: list[int]) -> int:
    """Email each still-pending, not yet sent invitation of ``invitation_ids``; returns how
    many were sent. An address whose account has never been used (no password, never logged
    in) also gets a link to set a password, as do ``set_password_ids``."""
    now = timezone.now()
    claimed = _claim(sorted(set(invitation_ids)), now)
    invitations = list(
        ParticipantInvitation.objects.select_related("program")
        .filter(pk__in=claimed)
        .order_by("send_after", "pk")
    )
    accounts = {
        user.email: user
        for user in User.objects.filter(email__in=[i.email for i in invitations])
        if user.last_login is None and not user.has_usable_password()
    }
    with_password = set(set_password_ids)
    sent = 0
    with get_connection() as connection:
        for position, invitation in enumerate(invitations):
            account = accounts.get(invitation.email)
            if account is None and invitation.pk in with_password:
                account = User.objects.filter(email=invitation.email).first()
            try:
                connection.send_messages([_message(invitation, account)])
            except smtplib.SMTPRecipientsRefused:
                # This address only: it goes back to the held invitations (the admin sees it
                # there, unsent) and the others still go.
                logger.warning("Invitation %s: the mail server refused the address", invitation.pk)
                ParticipantInvitation.objects.filter(pk=invitation.pk, sent_at=now).update(
                    sent_at=None, send_after=None
                )
                continue
            except Exception:
                unsent = [i.pk for i in invitations[position:]]
                ParticipantInvitation.objects.filter(pk__in=unsent, sent_at=now).update(
                    sent_at=None
                )
                raise
            sent += 1
    return sent


def invitation_emails_send_due(*, now) -> int:
    """The periodic job: send up to ``EMAILS_PER_TICK`` scheduled invitations whose time has
    come (held ones, with no time, wait for an admin); returns how many went."""
    due = (
        ParticipantInvitation.objects.filter(UNSENT, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:EMAILS_PER_TICK]
    )
    return invitation_emails_send(invitation_ids=list(due), set_password_ids=[])


def _message(invitation: ParticipantInvitation, account: User | None) -> EmailMessage:
    invitation_path = reverse("participant_invitation", kwargs={"token": invitation.token})
    return EmailMessage(
        subject=INVITE_SUBJECT.format(program=one_line(invitation.program.name)),
        body=INVITE_BODY.format(
            program=invitation.program.name,
            role=invitation.get_role_display().lower(),
            until=_until(invitation),
            password=(
                INVITE_PASSWORD.format(link=_password_link(account, then=invitation_path))
                if account is not None
                else ""
            ),
            link=settings.SITE_URL + invitation_path,
        ),
        to=[invitation.email],
    )


def _until(invitation: ParticipantInvitation) -> str:
    if invitation.expires_at is None:
        return ""
    return f"\nThe link works until {day_in(invitation.expires_at)}."


# Below the default: 26,000 emails must not hold up the checks and writes (or a password reset)
# queued after them.
@task(priority=-10)
def import_invitations_send_task(invitation_ids: list[int], set_password_ids: list[int]) -> int:
    """Email one share of an import's invitations (queued on commit); returns how many."""
    return invitation_emails_send(invitation_ids=invitation_ids, set_password_ids=set_password_ids)


def _password_link(user: User, *, then: str) -> str:
    """The set-password link; after the new password and the log-in, the person lands on
    ``then`` (the invitation) rather than the dashboard (journeys review)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    try:
        path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    except NoReverseMatch:
        path = reverse("login")
    return f"{settings.SITE_URL}{path}?{urlencode({'next': then})}"
