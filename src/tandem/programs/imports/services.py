"""Participant imports as admins and the invited see them: upload a file, confirm it, answer
an import's invitation; each checks permission itself."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.people.models import User
from tandem.programs.imports.reading import COLUMNS, Table, check_rows, check_upload, read_table
from tandem.programs.imports.writer import (
    ImportPlan,
    import_apply,
    import_plan,
    import_plan_is_stale,
    import_prepare,
)
from tandem.programs.models import (
    IMPORT_RETENTION_HOURS,
    Enrolment,
    EnrolmentStatus,
    ImportBatch,
    ImportStatus,
    ParticipantInvitation,
    Program,
    Role,
)
from tandem.programs.selectors import (
    PARTICIPANT_INVITATION_NOT_FOUND,
    access_participant_invitation,
    access_program_for_admin,
)

logger = logging.getLogger(__name__)

# The view or API call stores the upload and returns at once; reading, checking and writing run
# in a background task (``tandem.programs.imports.tasks``), so a large file never holds up other
# requests. The batch's ``status`` and ``progress`` say where it is; the page polls them.

IMPORT_NOT_FOUND = "No such import for this program."
IMPORT_ALREADY_APPLIED = "This file was already imported; upload it again to re-import."
IMPORT_NOT_READY = "This file is {status}; wait until it is checked, or upload it again."
IMPORT_RACE = (
    "Someone changed these participants while the file was being imported; "
    "nothing was written. Confirm again to re-check the file."
)
IMPORT_HAS_ERRORS = "The file has problems; fix them and upload it again. Nothing was written."
IMPORT_FAILED = "The import stopped with an unexpected error; nothing was written. Try again."
INVITATION_NOT_FOUND = PARTICIPANT_INVITATION_NOT_FOUND
INVITATION_ANSWERED = "You already {state} this invitation."
RETURN_AWAITS_APPROVAL = (
    "An admin of {program} had removed you from it, so your return waits for an admin's "
    "approval; the program's page shows when they have approved it."
)
# What accepting an import's invitation makes of an enrolment the person already holds.
ACCEPTED_STATUS = {
    EnrolmentStatus.PENDING: EnrolmentStatus.ACTIVE,
    EnrolmentStatus.REMOVED: EnrolmentStatus.PENDING,
}


def _import_check(
    *, program: Program, table: Table, create_only: bool = False
) -> tuple[ImportPlan, dict]:
    rows, errors = check_rows(table)
    plan = import_plan(program=program, rows=rows, create_only=create_only)
    errors = sorted(
        [*errors, *plan.errors],
        key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99),
    )
    report = {
        "ok": not errors,
        "errors": [error.as_dict() for error in errors],
        "warnings": table.warnings,
        "summary": plan.summary(rows=len(table.rows)),
        "details": plan.details() if not errors else [],
    }
    return plan, report


def _file_report(message: str) -> dict:
    """The report of a file that could not be read at all (nothing in it was checked)."""
    return {
        "ok": False,
        "file_error": message,
        "errors": [],
        "warnings": [],
        "summary": None,
        "details": [],
    }


def _progress(batch_id: int, text: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(progress=text)


@transaction.atomic
def import_preview(*, user, program_id: int, filename: str, content: bytes) -> ImportBatch:
    """Start a dry run: store the file (status ``checking``) and queue its check.

    The checks that need no reading (size, file type) raise ``ApplicationError`` (field
    ``file``) at once and store nothing.
    """
    program = access_program_for_admin(user=user, program_id=program_id)
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
    _enqueue("import_check_task", batch.pk)
    return batch


def _clean_filename(filename: str | None) -> str:
    cleaned = "".join(ch for ch in (filename or "") if ch.isprintable())
    return (cleaned or "upload.csv")[:255]


def _enqueue(task_name: str, batch_id: int) -> None:
    from tandem.programs.imports import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(batch_id=batch_id))


def import_batch_check(*, batch_id: int) -> ImportBatch | None:
    """The dry run itself (run by the task): read, check, report; write no participant.

    A readable file with problems, or an unreadable one, becomes ``invalid`` and its bytes are
    dropped at once (it can never be confirmed); a clean one becomes ``previewed``.
    """
    batch = ImportBatch.objects.select_related("program").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportStatus.CHECKING:
        return batch
    _progress(batch.pk, "Reading the file")
    try:
        table = read_table(filename=batch.filename, content=bytes(batch.content))
        _progress(batch.pk, f"Checking {len(table.rows):,} rows")
        _, report = _import_check(program=batch.program, table=table)
    except ApplicationError as error:
        report = _file_report(error.fields.get("file", error.message))
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.INVALID,
            content=b"",
            progress="",
            report=_file_report(IMPORT_FAILED),
        )
        raise
    status = ImportStatus.PREVIEWED if report["ok"] else ImportStatus.INVALID
    fields = {"status": status, "report": report, "progress": ""}
    if status == ImportStatus.INVALID:
        fields["content"] = b""
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKING).update(**fields)
    batch.refresh_from_db()
    return batch


def import_confirm(*, user, program_id: int, batch_id: int) -> ImportBatch:
    """Queue the write of a previewed file (status ``applying``); the task writes it in one
    transaction, all or nothing, after checking it again against the current data."""
    program = access_program_for_admin(user=user, program_id=program_id)
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .defer("content")
            .filter(pk=batch_id, program=program)
            .first()
        )
        if batch is None:
            raise NotFound(IMPORT_NOT_FOUND)
        if batch.status == ImportStatus.APPLIED:
            raise ApplicationError(IMPORT_ALREADY_APPLIED, status=409)
        if batch.status == ImportStatus.INVALID:
            raise ApplicationError(IMPORT_HAS_ERRORS, status=409)
        if batch.status != ImportStatus.PREVIEWED:
            status = batch.get_status_display().lower()
            raise ApplicationError(IMPORT_NOT_READY.format(status=status), status=409)
        batch.status = ImportStatus.APPLYING
        batch.progress = "Waiting for a worker"
        batch.report = {**batch.report, "confirmed_by": user.pk}
        batch.save(update_fields=["status", "progress", "report"])
        _enqueue("import_apply_task", batch.pk)
    return batch


def import_batch_apply(*, batch_id: int) -> ImportBatch | None:
    """The confirmed write (run by the task): re-check, then write everything or nothing.

    Reading and checking the file happen before the transaction, which then only confirms that
    the plan is still current (who is in the program, which roles they hold) and writes: on
    SQLite the write lock is held for the write alone, not for the minutes a large check takes.
    """
    batch = ImportBatch.objects.select_related("program").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportStatus.APPLYING:
        return batch
    program = batch.program
    invited_by = User.objects.filter(pk=batch.report.get("confirmed_by")).first()
    try:
        _progress(batch.pk, "Checking the file again")
        table = read_table(filename=batch.filename, content=bytes(batch.content))
        plan, report = _import_check(program=program, table=table)
        import_prepare(plan=plan)
        _progress(batch.pk, f"Writing {len(table.rows):,} rows")
        started = time.perf_counter()
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
            if locked.status != ImportStatus.APPLYING:
                return locked
            if not report["ok"]:
                fields = {"status": ImportStatus.INVALID, "report": report}
            else:
                if import_plan_is_stale(program=program, plan=plan):
                    raise ApplicationError(IMPORT_RACE, status=409)
                import_apply(program=program, plan=plan, invited_by=invited_by)
                fields = {
                    "status": ImportStatus.APPLIED,
                    "applied_at": timezone.now(),
                    "report": {**report, "applied": report["summary"]},
                }
            ImportBatch.objects.filter(pk=batch.pk).update(content=b"", progress="", **fields)
        logger.info(
            "import batch %s: %s rows, write transaction %.2f s",
            batch.pk,
            len(table.rows),
            time.perf_counter() - started,
        )
    except (IntegrityError, ApplicationError) as error:
        message = IMPORT_RACE if isinstance(error, IntegrityError) else error.message
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.PREVIEWED,
            progress="",
            report={**batch.report, "failure": message},
        )
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.PREVIEWED,
            progress="",
            report={**batch.report, "failure": IMPORT_FAILED},
        )
        raise
    batch.refresh_from_db()
    return batch


def import_batch_purge(*, now: datetime) -> int:
    """Delete every upload not imported within ``IMPORT_RETENTION_HOURS`` (abandoned
    previews, invalid files) and empty the bytes of imported ones; returns batches deleted."""
    cutoff = now - timedelta(hours=IMPORT_RETENTION_HOURS)
    ImportBatch.objects.filter(status=ImportStatus.APPLIED).exclude(content=b"").update(content=b"")
    deleted, _ = (
        ImportBatch.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[ImportStatus.APPLIED, ImportStatus.APPLYING])
        .delete()
    )
    return deleted


def participant_invitation_answer(*, user, token: str, accept: bool) -> Enrolment | None:
    """The invited person accepts or declines an import's invitation; the enrolment it leaves
    (None when declined).

    Only the account with the invited address may answer; any other gets the same "not
    found" as a wrong token. Accepting gives the enrolment the invitation's role, capacity and
    id. It never undoes an admin's decision: someone an admin removed comes back *awaiting
    approval* (``RETURN_AWAITS_APPROVAL``), a paused enrolment stays paused; a pending one
    (they had asked to join through a link) becomes active, as the admins invited them.
    """
    with transaction.atomic():
        invitation = access_participant_invitation(user=user, token=token, for_update=True)
        if invitation.state != "pending":
            raise ApplicationError(INVITATION_ANSWERED.format(state=invitation.state), status=409)
        now = timezone.now()
        if not accept:
            invitation.declined_at = now
            invitation.save(update_fields=["declined_at"])
            return None
        enrolment = _enrolment_from_invitation(user=user, invitation=invitation)
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
    return enrolment


def _enrolment_from_invitation(*, user, invitation: ParticipantInvitation) -> Enrolment:
    program = invitation.program
    capacity = None
    if invitation.role == Role.MENTOR:
        capacity = invitation.capacity or program.default_capacity
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        program=program,
        person=user,
        role=invitation.role,
        defaults={
            "status": EnrolmentStatus.ACTIVE,
            "capacity": capacity,
            "external_id": invitation.external_id,
        },
    )
    if created:
        return enrolment
    changed = []
    status = ACCEPTED_STATUS.get(enrolment.status, enrolment.status)
    if status != enrolment.status:
        enrolment.status = status
        changed.append("status")
    if invitation.role == Role.MENTOR and invitation.capacity:
        enrolment.capacity = invitation.capacity
        changed.append("capacity")
    if invitation.external_id:
        enrolment.external_id = invitation.external_id
        changed.append("external_id")
    if changed:
        enrolment.save(update_fields=[*changed, "updated_at"])
    return enrolment
