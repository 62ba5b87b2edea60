"""A program's admins add more admins themselves, with no staff status: promote one of the
program's participants, or invite someone by email to join as admin. Removing an admin is a
status change (``enrolment_set_status``), which keeps the last one."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from tandem.core.exceptions import ApplicationError
from tandem.people.models import User
from tandem.programs.imports.emails import invitation_emails_queue
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Role
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
        status = enrolment.get_status_display().lower()
        raise ApplicationError(ADMIN_PAUSED.format(name=name, status=status), status=409)
    if enrolment.status not in MEMBER_STATUSES:
        status = enrolment.get_status_display().lower()
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
    return admin


@transaction.atomic
def program_admin_invite(*, user: User, program_id: int, email: str) -> ParticipantInvitation:
    """Email ``email`` an invitation to join the program as admin (sent after commit). They
    become an admin once they accept it signed in with that address; asking again for someone
    who has not answered sends the email again."""
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
                )
        except IntegrityError:  # a double submit won the race: the first one sends it
            message = INVITE_JUST_SENT.format(email=address)
            raise ApplicationError(message, fields={"email": message}, status=409) from None
    else:
        # A new token: an old link (perhaps answered, perhaps forwarded) no longer works.
        invitation.token = secrets.token_urlsafe(32)
        invitation.invited_by = user
        invitation.accepted_at = invitation.declined_at = None
        invitation.save(update_fields=["token", "invited_by", "accepted_at", "declined_at"])
    token = invitation.token
    transaction.on_commit(lambda: invitation_emails_queue(tokens=[token], new_accounts=set()))
    return invitation
