"""Personal invitations by email: the ones an import writes, and the ones an admin types in
(one or more addresses and a role, sent now or at a chosen time); sending the held ones now;
cancelling one before it goes. Each service checks that the caller runs the program.

An address already in the program is reported, never invited again; an address invited and
not yet answering is reported too (its email already went, or is waiting to). Which of the
other addresses have an account somewhere is not the admin's to learn: they are all
"invited" alike.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tandem.core.api_types import storable_id
from tandem.core.exceptions import ApplicationError, NotFound
from tandem.people.models import DELETED_EMAIL_DOMAIN, User
from tandem.programs.imports.bulk import bulk_insert, bulk_update_loaded, chunked
from tandem.programs.imports.emails import UNSENT, invitation_emails_queue_ids
from tandem.programs.imports.planning import MEMBER_STATUSES
from tandem.programs.imports.reading import ParsedRow
from tandem.programs.models import (
    PARTICIPANT_ROLES,
    Enrolment,
    EnrolmentStatus,
    ParticipantInvitation,
    Program,
    Role,
)
from tandem.programs.selectors import ProgramAccess, access_program
from tandem.programs.services.enrolments import PARTICIPANT_ROLE_ONLY

MAX_ADDRESSES = 500
MAX_EMAIL = 254
MAX_DAYS_AHEAD = 365
# A word of a line: an address in angle brackets, as an email program copies a recipient
# ("Doe, Jane <jane@example.org>"), or a run of anything but separators.
_WORDS = re.compile(r"<([^<>]*)>|([^,;\s<>]+)")

NO_ADDRESSES = "Enter at least one email address, one per line."
TOO_MANY_ADDRESSES = (
    "Invite at most {limit} people at once (this has {count}); import a file for more."
)
BAD_ADDRESS = "Line {line}: “{value}” is not an email address; write it like name@example.org."
DELETED_ADDRESS = "Line {line}: “{value}” belongs to a deleted account; nobody reads it."
SEND_AT_PAST = "Choose a time in the future, or send the invitations now."
SEND_AT_FAR = f"Choose a time within {MAX_DAYS_AHEAD} days."
INVITATION_NOT_FOUND = "No such invitation waiting to be sent in this program."
ALREADY_SENT = "The invitation to {email} was already sent on {when}; withdraw it instead."
NOTHING_TO_SEND = "None of the chosen invitations is still waiting to be sent."
NO_SUCH_INVITATION = "No such invitation in this program."
RESEND_AFTER = timedelta(hours=1)
RESEND_ANSWERED = "The invitation to {email} is {state}: invite them again to send a new one."
RESEND_UNSENT = "The invitation to {email} has not gone yet: send it from Waiting to be sent."
RESEND_TOO_SOON = (
    "The invitation to {email} was sent on {when}; it can be sent again an hour after that, so "
    "nobody is mailed over and over."
)


def when_text(moment: datetime) -> str:
    """``moment`` in the viewer's time zone as people read it: "Tue 8 Dec, 14:00"."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


@dataclass
class InviteOutcome:
    """What one "invite by email" did, address by address."""

    invited: list[ParticipantInvitation] = field(default_factory=list)
    already_in_program: list[str] = field(default_factory=list)
    already_invited: list[ParticipantInvitation] = field(default_factory=list)


def invitations_write_for_import(
    *, program: Program, rows: list[ParsedRow], invited_by: User | None, send: bool
) -> list[str]:
    """Create or renew one invitation per invited row of an import; return the tokens to
    email now when ``send`` (new ones, ones renewed after an answer or a withdrawal, and held
    ones never sent; a pending one already sent is not re-sent). Without ``send``, new and
    renewed ones are held. Call inside the import's transaction."""
    if not rows:
        return []
    stored = {}
    for chunk in chunked({row.email for row in rows}):
        for found in ParticipantInvitation.objects.filter(program=program, email__in=chunk):
            stored[(found.email, found.role)] = found
    create: list[tuple[str, str, int | None, str, str]] = []
    update: list[ParticipantInvitation] = []
    tokens: list[str] = []
    send_after = timezone.now() if send else None
    for row in rows:
        invitation = stored.get((row.email, row.role))
        capacity = row.capacity if row.role == Role.MENTOR else None
        if invitation is None:
            token = secrets.token_urlsafe(32)
            create.append((row.email, row.role, capacity, row.external_id or "", token))
            tokens.append(token)
            continue
        if _renew_or_release(invitation, invited_by=invited_by, send_after=send_after):
            tokens.append(invitation.token)
        if capacity is not None:
            invitation.capacity = capacity
        if row.external_id is not None:
            invitation.external_id = row.external_id
        update.append(invitation)
    bulk_insert(
        ParticipantInvitation,
        fields=("email", "role", "capacity", "external_id", "token"),
        rows=create,
        same={
            "program_id": program.pk,
            "invited_by_id": invited_by.pk if invited_by else None,
            "send_after": send_after,
        },
    )
    bulk_update_loaded(ParticipantInvitation, update, [*_RENEWED, "capacity", "external_id"])
    return tokens if send else []


_RENEWED = (
    *("token", "accepted_at", "declined_at", "withdrawn_at"),
    *("invited_by", "sent_at", "send_after", "expires_at"),
)


def _renew_or_release(
    invitation: ParticipantInvitation, *, invited_by: User | None, send_after: datetime | None
) -> bool:
    """Make a stored invitation ready to go again; True when its email is to go (now, or at
    ``send_after``). An answered, withdrawn or expired one gets a new token (the old link
    stops working); a pending one never sent takes the new time; a pending one sent stays."""
    if invitation.state != "pending":
        invitation.token = secrets.token_urlsafe(32)
        invitation.accepted_at = invitation.declined_at = invitation.withdrawn_at = None
        invitation.expires_at = None
        invitation.invited_by = invited_by
        invitation.sent_at, invitation.send_after = None, send_after
        return True
    if invitation.sent_at is None and send_after is not None:
        invitation.send_after = send_after
        return True
    return False


def split_addresses(text: str) -> list[tuple[int, str]]:
    """(line number, address) for every address typed, one or more a line (commas,
    semicolons or spaces between them), lower-cased, each once.

    Pasted lists are taken as email programs copy them (I/O review): invisible format
    characters (a byte-order mark, zero-width spaces, direction marks) are dropped, since
    the refusal named an address that looked right; and on a line with an address in angle
    brackets (``Doe, Jane <jane@example.org>; Bo <bo@example.org>``) the words outside the
    brackets without an ``@`` are the names, not addresses.
    """
    seen: dict[str, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        visible = "".join(ch for ch in line if unicodedata.category(ch) != "Cf")
        words = _WORDS.findall(visible)
        named = any(bracketed for bracketed, _ in words)
        for bracketed, bare in words:
            part = bracketed.strip() or bare
            if part and (bracketed or not named or "@" in part):
                seen.setdefault(part.lower(), number)
    return [(number, address) for address, number in seen.items()]


def _address_problem(address: str) -> str:
    """Why ``address`` cannot be invited (a message with ``line`` and ``value``), or ""."""
    try:
        if len(address) > MAX_EMAIL:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        return BAD_ADDRESS
    # A deleted account's address (``deleted-<id>@deleted.invalid``): no mailbox has it.
    return DELETED_ADDRESS if address.lower().endswith(DELETED_EMAIL_DOMAIN) else ""


def _check_addresses(text: str) -> list[str]:
    addresses = split_addresses(text)
    if not addresses:
        raise ApplicationError(NO_ADDRESSES, fields={"emails": NO_ADDRESSES})
    if len(addresses) > MAX_ADDRESSES:
        message = TOO_MANY_ADDRESSES.format(limit=MAX_ADDRESSES, count=len(addresses))
        raise ApplicationError(message, fields={"emails": message})
    bad: dict[str, str] = {}
    for line, address in addresses:
        words = _address_problem(address)
        if words:
            message = words.format(line=line, value=address[:80])
            key = f"emails.{line}"
            bad[key] = f"{bad[key]} {message}" if key in bad else message
    if bad:
        raise ApplicationError(" ".join(bad.values()), fields=bad)
    return [address for _, address in addresses]


def _check_send_at(send_at: datetime | None, now: datetime) -> None:
    if send_at is None:
        return
    if send_at <= now:
        raise ApplicationError(SEND_AT_PAST, fields={"send_at": SEND_AT_PAST})
    if send_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise ApplicationError(SEND_AT_FAR, fields={"send_at": SEND_AT_FAR})


def participant_invitations_invite(
    *, user: User, program_id: int, emails: str, role: str, send_at: datetime | None = None
) -> InviteOutcome:
    """Invite each address of ``emails`` to join as ``role``: the email goes now (after
    commit), or with the periodic job at ``send_at``. Nothing is written when any address
    is not one (each such line is named: fields ``emails.<line>``)."""
    now = timezone.now()
    if role not in PARTICIPANT_ROLES:
        raise ApplicationError(PARTICIPANT_ROLE_ONLY, fields={"role": PARTICIPANT_ROLE_ONLY})
    _check_send_at(send_at, now)
    addresses = _check_addresses(emails)
    outcome = InviteOutcome()
    with transaction.atomic():
        program = access_program(
            user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
        )
        # In the program in this role already (waiting on the waitlist counts): a mentee may
        # still be invited to mentor.
        members = set(
            Enrolment.objects.filter(
                program=program,
                role=role,
                person__email__in=addresses,
                status__in=(*MEMBER_STATUSES, EnrolmentStatus.WAITLISTED),
            ).values_list("person__email", flat=True)
        )
        stored = {
            invitation.email: invitation
            for invitation in ParticipantInvitation.objects.select_for_update().filter(
                program=program, role=role, email__in=addresses
            )
        }
        for address in addresses:
            invitation = stored.get(address)
            if address in members:
                outcome.already_in_program.append(address)
            elif invitation is not None and invitation.state == "pending" and invitation.sent_at:
                outcome.already_invited.append(invitation)
            else:
                outcome.invited.append(
                    _invite(program, address, role, invitation, user, send_at or now)
                )
        if send_at is None and outcome.invited:
            ids = [invitation.pk for invitation in outcome.invited]
            transaction.on_commit(lambda: invitation_emails_queue_ids(invitation_ids=ids))
    return outcome


def _invite(
    program: Program,
    address: str,
    role: str,
    invitation: ParticipantInvitation | None,
    user: User,
    send_after: datetime,
) -> ParticipantInvitation:
    if invitation is None:
        return ParticipantInvitation.objects.create(
            program=program,
            email=address,
            role=role,
            token=secrets.token_urlsafe(32),
            invited_by=user,
            send_after=send_after,
        )
    _renew_or_release(invitation, invited_by=user, send_after=send_after)
    invitation.save(update_fields=list(_RENEWED))
    return invitation


def participant_invitation_list_unsent(*, program: Program) -> QuerySet[ParticipantInvitation]:
    """Invitations whose email has not gone yet and still may: held ones first, then by the
    time they are due (invitations to become an admin are made and sent on the people page)."""
    return (
        ParticipantInvitation.objects.filter(UNSENT, program=program)
        .exclude(role=Role.ADMIN)
        .order_by("send_after", "email")
    )


def participant_invitations_send_now(
    *, user: User, program_id: int, invitation_ids: list[int] | None = None
) -> int:
    """Send now the chosen unsent invitations (all of them when ``invitation_ids`` is None),
    held or scheduled; returns how many were queued. Ids of other programs, answered or sent
    invitations are left alone; none left is an error."""
    with transaction.atomic():
        program = access_program(
            user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
        )
        unsent = participant_invitation_list_unsent(program=program)
        if invitation_ids is not None:
            unsent = unsent.filter(pk__in=[pk for pk in invitation_ids if storable_id(pk)])
        ids = list(unsent.values_list("pk", flat=True))
        if not ids:
            raise ApplicationError(NOTHING_TO_SEND, status=409)
        ParticipantInvitation.objects.filter(UNSENT, pk__in=ids).update(send_after=timezone.now())
        transaction.on_commit(lambda: invitation_emails_queue_ids(invitation_ids=ids))
    return len(ids)


def _locked(*, user: User, program_id: int, invitation_id: int) -> ParticipantInvitation | None:
    """The program's invitation to take part (not to be an admin), locked after the program
    (inside the caller's transaction), for its admins only; None when there is none."""
    program = access_program(
        user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
    )
    if not storable_id(invitation_id):
        return None
    return (
        ParticipantInvitation.objects.select_for_update()
        .filter(program=program, pk=invitation_id)
        .exclude(role=Role.ADMIN)
        .first()
    )


def participant_invitation_cancel(
    *, user: User, program_id: int, invitation_id: int
) -> ParticipantInvitation:
    """Cancel a held or scheduled invitation before its email goes: it is withdrawn (its
    link would say so) and the periodic job skips it."""
    with transaction.atomic():
        invitation = _locked(user=user, program_id=program_id, invitation_id=invitation_id)
        if invitation is None or invitation.state != "pending":
            raise NotFound(INVITATION_NOT_FOUND)
        if invitation.sent_at is not None:
            message = ALREADY_SENT.format(
                email=invitation.email, when=when_text(invitation.sent_at)
            )
            raise ApplicationError(message, status=409)
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
    return invitation


def participant_invitation_resend(
    *, user: User, program_id: int, invitation_id: int
) -> ParticipantInvitation:
    """Send a sent, unanswered invitation's email again, with the same link (one the person
    forwarded or kept still works) and, when their account was never used, a link to set a
    password (``invitation_emails_send``). Not within ``RESEND_AFTER`` of the last email (a
    double click, or a person mailed over and over); 409 for one not sent yet (send it now),
    answered, withdrawn or expired (invite them again); 404 for another program's. Admins asked
    for it: a duplicate invitation is not mailed twice (methods review)."""
    now = timezone.now()
    with transaction.atomic():
        invitation = _locked(user=user, program_id=program_id, invitation_id=invitation_id)
        if invitation is None:
            raise NotFound(NO_SUCH_INVITATION)
        refusal = None
        if invitation.state != "pending":
            refusal = RESEND_ANSWERED.format(email=invitation.email, state=invitation.state)
        elif invitation.sent_at is None:
            refusal = RESEND_UNSENT.format(email=invitation.email)
        elif invitation.sent_at > now - RESEND_AFTER:
            refusal = RESEND_TOO_SOON.format(
                email=invitation.email, when=when_text(invitation.sent_at)
            )
        if refusal:
            raise ApplicationError(refusal, status=409)
        invitation.sent_at, invitation.send_after = None, now
        invitation.save(update_fields=["sent_at", "send_after"])
        ids = [invitation.pk]
        transaction.on_commit(lambda: invitation_emails_queue_ids(invitation_ids=ids))
    return invitation
