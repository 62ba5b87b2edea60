"""Participant imports as admins and the invited see them: upload a file, confirm it, answer
an import's invitation; each checks permission itself.

The view or API call stores the upload and returns at once; reading, checking and writing run
in a background task (``execution``, queued through ``tasks``), so a large file never holds up
other requests. The batch's ``status`` and ``progress`` say where it is; the page polls them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.saving import model_update
from tandem.core.templatetags.readable_dates import day_in
from tandem.core.text import clean_text
from tandem.people.models import User
from tandem.programs.imports.problems import problem_file_name
from tandem.programs.imports.reading import check_upload
from tandem.programs.imports.tasks import import_apply_task, import_check_task
from tandem.programs.models import (
    CLOSED_STATUSES,
    IMPORT_RETENTION_HOURS,
    Enrolment,
    EnrolmentStatus,
    ImportBatch,
    ImportStatus,
    ParticipantInvitation,
    Role,
)
from tandem.programs.notices import enrolment_pending_notify, program_admin_added_notify
from tandem.programs.selectors import (
    ProgramAccess,
    access_import_batch,
    access_participant_invitation,
    access_program,
    program_admin_enrolments,
)
from tandem.programs.selectors.joining import join_answers_given, join_questions
from tandem.programs.services.enrolments import Joined, check_join_answers
from tandem.programs.services.waitlist import (
    enrolment_entry_fields,
    program_lock,
    waitlist_entered,
)

IMPORT_ALREADY_APPLIED = "This file was already imported; upload it again to re-import."
IMPORT_NOT_READY = "This file is {status}; wait until it is checked, or upload it again."
IMPORT_HAS_ERRORS = "The file has problems; fix them and upload it again. Nothing was written."
IMPORT_HAS_PROBLEM_ROWS = (
    "{count} row(s) of this file have problems. Import only the good rows (the others are in "
    "the file to fix), or fix the file and upload it again. Nothing was written."
)
IMPORT_HAS_PROBLEM_ROWS_FIELD = "Set this to import the good rows and leave the others out."
PROBLEM_ROWS_GONE = (
    "The file of rows to fix is kept for {hours} hours after the upload, and this one is gone. "
    "Upload the file again to check it."
)
INVITATION_ANSWERED = "You already {state} this invitation."
INVITATION_WITHDRAWN = (
    "The admins of {program} withdrew this invitation; nothing was changed. Ask one of them if "
    "you expected it."
)
INVITATION_EXPIRED = (
    "This invitation expired on {date}; nothing was changed. Ask an admin of {program} to "
    "invite you again."
)
INVITER_NOT_ADMIN = (
    "{name}, who invited you, is no longer an admin of {program}, so the invitation no longer "
    "counts; nothing was changed. Ask a current admin of {program} to invite you again."
)
ADMIN_ROLE_STOPPED = (
    "Your admin role in {program} is {status}, so this invitation cannot make you an admin; "
    "nothing was changed. Ask an admin of {program} to reactivate it."
)
ACCOUNT_DEACTIVATED = "Your account is deactivated; a site admin must reactivate it first."
RETURN_AWAITS_APPROVAL = (
    "An admin of {program} had removed you from it, so your return waits for an admin's "
    "approval; the program's page shows when they have approved it."
)


# What accepting an import's invitation makes of an enrolment the person already holds.
@transaction.atomic
def import_preview(*, user: User, program_id: int, filename: str, content: bytes) -> ImportBatch:
    """Start a dry run: store the file (status ``checking``) and queue its check.

    The checks that need no reading (size, file type) raise ``ApplicationError`` (field
    ``file``) at once and store nothing.
    """
    program = access_program(user=user, program_id=program_id, need=ProgramAccess.ADMIN)
    check_upload(filename=filename, size=len(content))
    batch = ImportBatch.objects.create(
        program=program,
        uploaded_by=user,
        filename=_clean_filename(filename),
        content=content,
        report={},
        status=ImportStatus.CHECKING,
        progress="Waiting for a worker",
    )
    _enqueue(import_check_task, batch.pk)
    return batch


def _clean_filename(filename: str | None) -> str:
    cleaned = "".join(ch for ch in (filename or "") if ch.isprintable())
    return (cleaned or "upload.csv")[:255]


def _enqueue(task: Task, batch_id: int) -> None:
    transaction.on_commit(lambda: task.enqueue(batch_id=batch_id))


def import_confirm(
    *,
    user: User,
    program_id: int,
    batch_id: int,
    skip_problem_rows: bool = False,
    send_invitations: bool = True,
) -> ImportBatch:
    """Queue the write of a previewed file (status ``applying``); the task writes it in one
    transaction, all or nothing, after checking it again against the current data.

    A file with rows with problems is written only with ``skip_problem_rows`` (its good rows;
    the others are in the file to fix). Without ``send_invitations`` the invitation emails
    are held until an admin sends them."""
    with transaction.atomic():
        batch = access_import_batch(
            user=user, program_id=program_id, batch_id=batch_id, for_update=True
        )
        if batch.status == ImportStatus.APPLIED:
            raise ApplicationError(IMPORT_ALREADY_APPLIED, status=409)
        if batch.status == ImportStatus.INVALID:
            raise ApplicationError(IMPORT_HAS_ERRORS, status=409)
        if batch.status != ImportStatus.PREVIEWED:
            status = batch.get_status_display().lower()
            raise ApplicationError(IMPORT_NOT_READY.format(status=status), status=409)
        if batch.report.get("errors") and not skip_problem_rows:
            raise ApplicationError(
                IMPORT_HAS_PROBLEM_ROWS.format(count=len(batch.report.get("left_out", []))),
                fields={"skip_problem_rows": IMPORT_HAS_PROBLEM_ROWS_FIELD},
                status=409,
            )
        batch.status = ImportStatus.APPLYING
        batch.progress = "Waiting for a worker"
        batch.report = {
            **batch.report,
            "confirmed_by": user.pk,
            "skip_problem_rows": skip_problem_rows,
            "send_invitations": send_invitations,
        }
        batch.save(update_fields=["status", "progress", "report"])
        _enqueue(import_apply_task, batch.pk)
    return batch


def import_problem_rows(*, user: User, program_id: int, batch_id: int) -> tuple[str, bytes]:
    """The file of an upload's rows with problems, for the program's admins, as (file name,
    bytes); gone (``NotFound``) once the upload's retention is over."""
    batch = access_import_batch(user=user, program_id=program_id, batch_id=batch_id)
    content = (
        ImportBatch.objects.filter(pk=batch.pk, created_at__gt=_retention_cutoff(timezone.now()))
        .values_list("problem_rows", flat=True)
        .first()
    )
    if not content:
        raise NotFound(PROBLEM_ROWS_GONE.format(hours=IMPORT_RETENTION_HOURS))
    return problem_file_name(batch.filename, bytes(content)), bytes(content)


def import_problem_rows_kept(*, batch: ImportBatch) -> bool:
    """Whether the upload's file of rows to fix is still there (one query, without its bytes)."""
    kept = ImportBatch.objects.filter(pk=batch.pk, created_at__gt=_retention_cutoff(timezone.now()))
    return kept.exclude(problem_rows=b"").exists()


def _retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(hours=IMPORT_RETENTION_HOURS)


def import_batch_purge(*, now: datetime) -> int:
    """Delete every upload not imported within ``IMPORT_RETENTION_HOURS`` (abandoned
    previews, invalid files), empty the bytes of imported ones and, past the retention, their
    file of rows with problems; returns batches deleted."""
    cutoff = _retention_cutoff(now)
    ImportBatch.objects.filter(status=ImportStatus.APPLIED).exclude(content=b"").update(content=b"")
    ImportBatch.objects.filter(created_at__lt=cutoff).exclude(problem_rows=b"").update(
        problem_rows=b""
    )
    deleted, _ = (
        ImportBatch.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[ImportStatus.APPLIED, ImportStatus.APPLYING])
        .delete()
    )
    return deleted


def participant_invitation_answer(
    *, user: User, token: str, accept: bool, answers: dict[str, str] | None = None
) -> Enrolment | None:
    """The invited person accepts or declines an import's invitation; the enrolment it leaves
    (None when declined).

    Only the account with the invited address may answer; any other gets the same "not
    found" as a wrong token. Accepting gives the enrolment the invitation's role, capacity and
    id, and asks the role's join questions as a link does (``answers`` by ``q<question id>``;
    an enrolment held already keeps the answers it gave, unless new ones are sent). It never
    undoes an admin's decision: someone an admin removed comes back *awaiting
    approval* (``RETURN_AWAITS_APPROVAL``), a paused enrolment stays paused; a pending one
    (they had asked to join through a link) becomes active, as the admins invited them.
    The same answer again (a retry after a lost answer, a double submit) answers as the
    first did, writing nothing; anything else is refused as answered.
    """
    if not accept:
        participant_invitation_decline(user=user, token=token)
        return None
    return participant_invitation_accept(user=user, token=token, answers=answers or {}).enrolment


@transaction.atomic
def participant_invitation_decline(*, user: User, token: str) -> None:
    invitation = access_participant_invitation(user=user, token=token, for_update=True)
    if invitation.state == "declined":
        return
    _check_pending(invitation)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])


@transaction.atomic
def participant_invitation_accept(*, user: User, token: str, answers: dict[str, str]) -> Joined:
    """Accept (``participant_invitation_answer``); ``again`` on a retry."""
    seen = access_participant_invitation(user=user, token=token)
    if seen.state != "accepted":
        # The program before the invitation, as withdrawing and cancelling one take them (the
        # other way round, an accept and a withdraw at once deadlocked: a 500 on PostgreSQL).
        program_lock(program_id=seen.program_id)
    invitation = access_participant_invitation(user=user, token=token, for_update=True)
    if invitation.state == "accepted":
        return Joined(_accepted_again(user=user, invitation=invitation, answers=answers), True)
    _check_pending(invitation)
    was_admin = invitation.role == Role.ADMIN and _admin_check(user=user, invitation=invitation)
    enrolment = _enrolment_from_invitation(user=user, invitation=invitation, answers=answers)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    if invitation.role == Role.ADMIN and not was_admin:
        program_admin_added_notify(admin=enrolment, actor=user)
    return Joined(enrolment, again=False)


def _check_pending(invitation: ParticipantInvitation) -> None:
    if invitation.state != "pending":
        raise ApplicationError(invitation_closed_message(invitation), status=409)


def _accepted_again(
    *, user: User, invitation: ParticipantInvitation, answers: dict[str, str]
) -> Enrolment:
    """The enrolment the first accept gave, while it is still open and each answer sent is
    the one it holds (none sent: those it holds stand). Only compared, not checked again: a
    question added since does not turn the retry into a refusal. Anything else is refused as
    answered (an API review found a retried accept refused)."""
    enrolment = Enrolment.objects.filter(
        program=invitation.program, person=user, role=invitation.role
    ).first()
    if enrolment is not None and enrolment.status not in CLOSED_STATUSES:
        questions = (
            join_questions(program=invitation.program, role=invitation.role) if answers else []
        )
        given = join_answers_given(questions, enrolment)
        if all(clean_text(value) == given.get(key, "") for key, value in answers.items()):
            return enrolment
    raise ApplicationError(invitation_closed_message(invitation), status=409)


def invitation_closed_message(invitation: ParticipantInvitation) -> str:
    """Why an invitation can no longer be answered, in the invited person's words."""
    program = invitation.program
    if invitation.state == "withdrawn":
        return INVITATION_WITHDRAWN.format(program=program)
    if invitation.state == "expired" and invitation.expires_at is not None:
        return INVITATION_EXPIRED.format(date=day_in(invitation.expires_at), program=program)
    return INVITATION_ANSWERED.format(state=invitation.state)


def _admin_check(*, user: User, invitation: ParticipantInvitation) -> bool:
    """Refuse an admin invitation that accepting could not honour, as Make admin would: its
    inviter no longer runs the program, the account is deactivated, or their admin role here
    is paused or removed (an admin decided that; an old invitation does not undo it). True
    when they already are an active admin."""
    program = invitation.program
    inviter = invitation.invited_by
    admins = program_admin_enrolments(program_id=program.pk)
    if inviter is None or not admins.filter(person=inviter).exists():
        name = inviter.display_name if inviter is not None else "The admin"
        raise ApplicationError(INVITER_NOT_ADMIN.format(name=name, program=program), status=409)
    if not user.is_active:
        raise ApplicationError(ACCOUNT_DEACTIVATED, status=409)
    admin = Enrolment.objects.filter(program=program, person=user, role=Role.ADMIN).first()
    if admin is not None and admin.status in (EnrolmentStatus.PAUSED, EnrolmentStatus.REMOVED):
        status = admin.get_status_display().lower()
        raise ApplicationError(
            ADMIN_ROLE_STOPPED.format(program=program, status=status), status=409
        )
    return admin is not None and admin.status == EnrolmentStatus.ACTIVE


def _enrolment_from_invitation(
    *, user: User, invitation: ParticipantInvitation, answers: dict[str, str]
) -> Enrolment:
    """The enrolment an accepted invitation gives: active (the admin invited them; someone who
    left too), or on the waitlist when the role is full; someone removed before comes back
    awaiting approval, also behind the waitlist when full. The program's row is locked first,
    as for every change of who holds a place."""
    program = program_lock(program_id=invitation.program_id)
    capacity = None
    if invitation.role == Role.MENTOR:
        capacity = invitation.capacity or program.default_capacity
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(program=program, person=user, role=invitation.role)
        .first()
    )
    kept = _join_answers(invitation=invitation, held=enrolment, answers=answers)
    if enrolment is None:
        enrolment = Enrolment.objects.create(
            program=program,
            person=user,
            role=invitation.role,
            capacity=capacity,
            external_id=invitation.external_id,
            answers=kept,
            **enrolment_entry_fields(program=program, role=invitation.role, approved=True),
        )
        _tell_of_entry(enrolment)
        return enrolment
    values: dict[str, Any] = {"answers": kept}
    if enrolment.status in CLOSED_STATUSES:
        # Who left by themself comes back as any invited newcomer; who was removed, not.
        approved = enrolment.status == EnrolmentStatus.LEFT
        values.update(
            enrolment_entry_fields(program=program, role=invitation.role, approved=approved)
        )
    elif enrolment.status == EnrolmentStatus.PENDING:
        values["status"] = EnrolmentStatus.ACTIVE  # already holds a place: the invitation approves
    if invitation.role == Role.MENTOR and invitation.capacity:
        values["capacity"] = invitation.capacity
    if invitation.external_id:
        values["external_id"] = invitation.external_id
    changed = model_update(enrolment, values)
    if "status" in changed:
        _tell_of_entry(enrolment)
    return enrolment


def _join_answers(
    *, invitation: ParticipantInvitation, held: Enrolment | None, answers: dict[str, str]
) -> dict[str, str]:
    """The join answers to keep, checked as a link checks them; an enrolment held already
    answers for itself where nothing new is sent. When the role asks no question and none is
    answered, the answers held stay (an answer sent is refused, as a link refuses it)."""
    questions = join_questions(program=invitation.program, role=invitation.role)
    if not questions and not answers:
        return dict(held.answers) if held is not None else {}
    return check_join_answers(questions, {**join_answers_given(questions, held), **answers})


def _tell_of_entry(enrolment: Enrolment) -> None:
    """The admins hear of someone now awaiting approval or on the waitlist."""
    if enrolment.status == EnrolmentStatus.PENDING:
        enrolment_pending_notify(enrolment=enrolment)
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        waitlist_entered(enrolment=enrolment)
