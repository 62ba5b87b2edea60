"""A program's admins add more admins themselves, with no staff status: promote one of the
program's participants, or invite someone by email to join as admin. Removing an admin is a
status change (``enrolment_set_status``), which keeps the last one."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.core.api_types import storable_id
from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.templatetags.readable_dates import day_in
from tandem.people.models import User
from tandem.programs.imports.emails import invitation_emails_queue
from tandem.programs.models import (
    ADMIN_INVITATION_DAYS,
    Enrolment,
    EnrolmentStatus,
    ParticipantInvitation,
    Role,
)
from tandem.programs.notices import program_admin_added_notify
from tandem.programs.selectors import (
    MEMBER_STATUSES,
    ProgramAccess,
    access_enrolment,
    access_program,
)

ALREADY_ADMIN = "{name} is already an admin of {program}."
PROMOTE_NOT_MEMBER = (
    "{name} is {status} in {program}; only an active or paused participant can be made an admin."
)
PROMOTE_DEACTIVATED = "{name}'s account is deactivated; a site admin must reactivate it first."
MAX_EMAIL = 254
INVITE_BAD_EMAIL = "Enter an email address, such as name@example.org."
ADMIN_PAUSED = "{name}'s admin role is {status}; use Reactivate on that row to give it back."
INVITE_JUST_SENT = "{email} was just invited; the email is on its way."
ALREADY_INVITED = (
    "{email} was already invited on {date} and has not answered; use Resend on the invitation "
    "to send the email again."
)
RESEND_ANSWERED = "{email} already {state} the invitation; there is nothing to resend."
RESEND_WITHDRAWN = "{email}'s invitation was withdrawn; invite them again to send a new one."
ADMIN_INVITATION_NOT_FOUND = "No such admin invitation in this program."
WITHDRAW_ANSWERED = "{email} already {state} the invitation; there is nothing to withdraw."
WITHDRAW_DONE = "{email}'s invitation was already withdrawn."


@transaction.atomic
def program_admin_promote(*, user: User, program_id: int, enrolment_id: int) -> Enrolment:
    """Make the person of a participant's enrolment an active admin of the program too (their
    mentee or mentor enrolment stays). Returns the admin enrolment."""
    enrolment = access_enrolment(
        user=user, program_id=program_id, enrolment_id=enrolment_id, for_update=True
    )
    person, program = enrolment.person, enrolment.program
    name = person.display_name
    if enrolment.role == Role.ADMIN:
        if enrolment.status == EnrolmentStatus.ACTIVE:
            raise ApplicationError(ALREADY_ADMIN.format(name=name, program=program), status=409)
        status = enrolment.status_words
        raise ApplicationError(ADMIN_PAUSED.format(name=name, status=status), status=409)
    if enrolment.status not in MEMBER_STATUSES:
        status = enrolment.status_words
        raise ApplicationError(
            PROMOTE_NOT_MEMBER.format(name=name, status=status, program=program), status=409
        )
    if not person.is_active:
        raise ApplicationError(PROMOTE_DEACTIVATED.format(name=name), status=409)
    admin, created = Enrolment.objects.select_for_update().get_or_create(
        program=program,
        person=person,
        role=Role.ADMIN,
        defaults={"status": EnrolmentStatus.ACTIVE},
    )
    if not created:
        if admin.status == EnrolmentStatus.ACTIVE:
            raise ApplicationError(ALREADY_ADMIN.format(name=name, program=program), status=409)
        admin.status = EnrolmentStatus.ACTIVE
        admin.save(update_fields=["status", "updated_at"])
    program_admin_added_notify(admin=admin, actor=user)
    return admin


@transaction.atomic
def program_admin_invite(*, user: User, program_id: int, email: str) -> ParticipantInvitation:
    """Email ``email`` an invitation to join the program as admin (sent after commit). They
    become an admin once they accept it signed in with that address. Asking again while one
    is waiting for an answer is a 409 saying when it was sent (a second email was sent without
    a word before): sending it again is ``program_admin_invitation_resend``. An expired,
    declined or withdrawn one is sent anew."""
    program = access_program(
        user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
    )
    address = (email or "").strip()
    try:
        if len(address) > MAX_EMAIL:
            raise ValidationError(INVITE_BAD_EMAIL)
        validate_email(address)
    except ValidationError:
        raise ApplicationError(INVITE_BAD_EMAIL, fields={"email": INVITE_BAD_EMAIL}) from None
    already = Enrolment.objects.filter(
        program=program,
        role=Role.ADMIN,
        status=EnrolmentStatus.ACTIVE,
        person__email__iexact=address,
    ).first()
    if already is not None:
        message = ALREADY_ADMIN.format(name=address, program=program)
        raise ApplicationError(message, fields={"email": message}, status=409)
    _refuse_like_make_admin(program_id=program.pk, address=address)
    now = timezone.now()
    expires_at = now + timedelta(days=ADMIN_INVITATION_DAYS)
    invitation = (
        ParticipantInvitation.objects.select_for_update()
        .filter(program=program, role=Role.ADMIN, email__iexact=address)
        .first()
    )
    if invitation is None:
        try:
            with transaction.atomic():
                invitation = ParticipantInvitation.objects.create(
                    program=program,
                    email=address,
                    role=Role.ADMIN,
                    token=secrets.token_urlsafe(32),
                    invited_by=user,
                    expires_at=expires_at,
                )
        except IntegrityError:  # a double submit won the race: the first one sends it
            message = INVITE_JUST_SENT.format(email=address)
            raise ApplicationError(message, fields={"email": message}, status=409) from None
    else:
        if invitation.state == "pending":
            _refuse_while_waiting(invitation)
        _renew(invitation, user=user, now=now)
    token = invitation.token
    transaction.on_commit(lambda: invitation_emails_queue(tokens=[token], new_accounts=set()))
    return invitation


def _refuse_while_waiting(invitation: ParticipantInvitation) -> None:
    """An invitation still waiting for an answer is not sent twice by asking again."""
    if invitation.sent_at is None:
        message = INVITE_JUST_SENT.format(email=invitation.email)
    else:
        # The day in the reader's zone, as every date Tandem writes (``day_in``).
        message = ALREADY_INVITED.format(email=invitation.email, date=day_in(invitation.created_at))
    raise ApplicationError(message, fields={"email": message}, status=409)


def _renew(invitation: ParticipantInvitation, *, user: User, now: datetime) -> None:
    """A new link with a new date, its email still to go (``imports.emails`` sends it): the old
    link (perhaps answered, perhaps forwarded) no longer works."""
    invitation.token = secrets.token_urlsafe(32)
    invitation.invited_by = user
    invitation.accepted_at = invitation.declined_at = invitation.withdrawn_at = None
    invitation.created_at = now
    invitation.expires_at = now + timedelta(days=ADMIN_INVITATION_DAYS)
    invitation.sent_at = None
    invitation.save(
        update_fields=[
            "sent_at",
            "token",
            "invited_by",
            "accepted_at",
            "declined_at",
            "withdrawn_at",
            "created_at",
            "expires_at",
        ]
    )


@transaction.atomic
def program_admin_invitation_resend(
    *, user: User, program_id: int, invitation_id: int
) -> ParticipantInvitation:
    """Send a waiting or expired admin invitation again, as a new link with a new date (the
    old link stops working). 409 while its last email has not gone yet, and for one answered or
    withdrawn; 404 for another program's."""
    program = access_program(
        user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
    )
    invitation = _admin_invitation(program_id=program.pk, invitation_id=invitation_id)
    if invitation.state in ("accepted", "declined"):
        message = RESEND_ANSWERED.format(email=invitation.email, state=invitation.state)
        raise ApplicationError(message, status=409)
    if invitation.state == "withdrawn":
        raise ApplicationError(RESEND_WITHDRAWN.format(email=invitation.email), status=409)
    if invitation.sent_at is None:
        raise ApplicationError(INVITE_JUST_SENT.format(email=invitation.email), status=409)
    _renew(invitation, user=user, now=timezone.now())
    token = invitation.token
    transaction.on_commit(lambda: invitation_emails_queue(tokens=[token], new_accounts=set()))
    return invitation


def _admin_invitation(*, program_id: int, invitation_id: int) -> ParticipantInvitation:
    """The program's admin invitation, locked (inside the caller's transaction), or 404."""
    invitation = None
    if storable_id(invitation_id):
        invitation = (
            ParticipantInvitation.objects.select_for_update()
            .filter(pk=invitation_id, program_id=program_id, role=Role.ADMIN)
            .first()
        )
    if invitation is None:
        raise NotFound(ADMIN_INVITATION_NOT_FOUND)
    return invitation


def _refuse_like_make_admin(*, program_id: int, address: str) -> None:
    """Refuse, with Make admin's words, an invitation that accepting could not honour: the
    address's account is deactivated, or its admin role here is paused or removed.

    Only for someone the inviting admin already sees: a person with an enrolment in this
    program. Anyone else's address is invited as an address nobody has would be (acceptance
    still refuses a deactivated account), or the refusal would tell any program admin that
    the address has an account, that it is deactivated and whose name it bears (live privacy
    review)."""
    enrolments = Enrolment.objects.filter(program_id=program_id, person__email__iexact=address)
    enrolment = enrolments.select_related("person").order_by("pk").first()
    if enrolment is None:
        return
    person = enrolment.person
    admin = enrolments.filter(role=Role.ADMIN).first()
    if admin is not None and admin.status in (EnrolmentStatus.PAUSED, EnrolmentStatus.REMOVED):
        status = admin.status_words
        message = ADMIN_PAUSED.format(name=person.display_name, status=status)
        raise ApplicationError(message, fields={"email": message}, status=409)
    if not person.is_active:
        message = PROMOTE_DEACTIVATED.format(name=person.display_name)
        raise ApplicationError(message, fields={"email": message}, status=409)


@transaction.atomic
def program_admin_invitation_withdraw(
    *, user: User, program_id: int, invitation_id: int
) -> ParticipantInvitation:
    """Withdraw an admin invitation nobody has answered (waiting or expired): its link stops
    working at once and tells the invited person so. Inviting them again sends a new one."""
    program = access_program(
        user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
    )
    invitation = _admin_invitation(program_id=program.pk, invitation_id=invitation_id)
    if invitation.state == "withdrawn":
        raise ApplicationError(WITHDRAW_DONE.format(email=invitation.email), status=409)
    if invitation.state in ("accepted", "declined"):
        message = WITHDRAW_ANSWERED.format(email=invitation.email, state=invitation.state)
        raise ApplicationError(message, status=409)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    return invitation
