"""Writes about programs, invitations and enrolments; each checks permission itself."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from tandem.core.exceptions import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    validation_error_fields,
)
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
    CAPACITY_MAX,
    DEFAULT_WEIGHTS,
    IMPORT_RETENTION_HOURS,
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    ImportBatch,
    ImportStatus,
    Invitation,
    ParticipantInvitation,
    Program,
    Role,
)
from tandem.programs.selectors import (
    PARTICIPANT_INVITATION_NOT_FOUND,
    access_participant_invitation,
    access_program_for_admin,
    is_program_admin,
)

logger = logging.getLogger(__name__)

ONLY_STAFF_CREATE = "Only site staff can create programs."
ENDS_BEFORE_START = "The end date must be on or after the start date."
BAD_WEIGHT = "Give a number from 0 to 10."
UNKNOWN_WEIGHT = "Unknown matching criterion {key!r}."
UNKNOWN_FIELD = "{key!r} cannot be changed here."
INVITATION_REVOKED = "This invitation link was revoked. Ask the program admin for a new one."
INVITATION_EXPIRED = "This invitation link has expired. Ask the program admin for a new one."
INVITATION_USED_UP = (
    "This invitation link has been used as many times as allowed. "
    "Ask the program admin for a new one."
)
ALREADY_JOINED = (
    "You are already in {program} as {role} (status: {status}). There is nothing more to do."
)
ANSWER_REQUIRED = "Please answer this question."
ANSWER_TOO_LONG = "Keep the answer under 2000 characters."
BAD_TRANSITION = "You cannot {action} someone whose enrolment is {status}."
UNKNOWN_ACTION = "Unknown action {action!r}: use approve, pause, remove or reactivate."
LAST_ADMIN = "This is the program's last active admin; add another admin first."
CAPACITY_MENTORS_ONLY = "Only mentors have a capacity."
BAD_CAPACITY = "Capacity must be a whole number from 1 to {max}."
MAX_INVITATION_USES = 1_000_000  # far below the column's limit: 10**20 was a 500
BAD_MAX_USES = (
    f"Give a whole number of uses from 1 to {MAX_INVITATION_USES:,}, "
    "or leave it empty for no limit."
)
EXPIRY_IN_PAST = "The expiry must be in the future."
BAD_ROLE = "Choose mentee, mentor or admin."
QUESTION_TOO_LONG = "Keep each question under 300 characters."
ENROLMENT_NOT_FOUND = "No such participant in a program you administer."

MAX_ANSWER = 2000
PROGRAM_FIELDS = (
    "name",
    "description",
    "program_type",
    "matching_mode",
    "starts_on",
    "ends_on",
    "default_duration_weeks",
    "default_cadence",
    "default_capacity",
    "weights",
    "avoid_manager",
    "avoid_same_department",
    "max_open_requests",
    "request_expiry_days",
)
# action -> (statuses it may start from, status it leads to)
TRANSITIONS = {
    "approve": ((EnrolmentStatus.PENDING,), EnrolmentStatus.ACTIVE),
    "pause": ((EnrolmentStatus.ACTIVE,), EnrolmentStatus.PAUSED),
    "reactivate": ((EnrolmentStatus.PAUSED, EnrolmentStatus.REMOVED), EnrolmentStatus.ACTIVE),
    "remove": (
        (EnrolmentStatus.PENDING, EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED),
        EnrolmentStatus.REMOVED,
    ),
}


# --- programs -------------------------------------------------------------------------------


def check_weights(weights: dict[str, Any] | None) -> dict[str, float]:
    """Every criterion gets a weight from 0 to 10; missing ones keep their defaults."""
    result = dict(DEFAULT_WEIGHTS)
    errors: dict[str, str] = {}
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            errors[f"weights.{key}"] = UNKNOWN_WEIGHT.format(key=key)
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[f"weights.{key}"] = BAD_WEIGHT
            continue
        if isinstance(value, bool) or not 0 <= number <= 10:
            errors[f"weights.{key}"] = BAD_WEIGHT
            continue
        result[key] = number
    if errors:
        raise ApplicationError("Some matching weights are invalid.", fields=errors)
    return result


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "program")[:120]
    taken = set(
        Program.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _validate_program(program: Program) -> None:
    if program.starts_on and program.ends_on and program.ends_on < program.starts_on:
        raise ApplicationError(ENDS_BEFORE_START, fields={"ends_on": ENDS_BEFORE_START})
    try:
        program.full_clean(exclude=["created_by", "slug"])
    except ValidationError as error:
        raise ApplicationError(
            "Some fields are invalid.", fields=validation_error_fields(error)
        ) from None


def _apply_fields(program: Program, fields: dict[str, Any]) -> None:
    unknown = [key for key in fields if key not in PROGRAM_FIELDS]
    if unknown:
        raise ApplicationError(
            "Some fields cannot be changed.",
            fields={key: UNKNOWN_FIELD.format(key=key) for key in unknown},
        )
    for key, value in fields.items():
        if key == "weights":
            value = check_weights(value)
        elif key == "description" and value is None:
            value = ""
        setattr(program, key, value)


@transaction.atomic
def program_create(
    *, user, name: str, questions: dict[str, list[tuple[str, bool]]] | None = None, **fields: Any
) -> Program:
    """Site staff create a program and become its first admin."""
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied(ONLY_STAFF_CREATE)
    program = Program(name=(name or "").strip(), created_by=user)
    _apply_fields(program, fields)
    program.slug = _unique_slug(program.name)
    _validate_program(program)
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        raise ApplicationError(
            "A program with this name was just created; try again.", status=409
        ) from None
    Enrolment.objects.create(
        program=program, person=user, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE
    )
    for role, prompts in (questions or {}).items():
        _questions_replace(program=program, role=role, prompts=prompts)
    return program


@transaction.atomic
def program_update(
    *,
    user,
    program_id: int,
    questions: dict[str, list[tuple[str, bool]]] | None = None,
    **fields: Any,
) -> Program:
    """Program admins change settings; the slug stays so shared links keep working."""
    program = access_program_for_admin(user=user, program_id=program_id)
    program = Program.objects.select_for_update().get(pk=program.pk)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    _apply_fields(program, fields)
    _validate_program(program)
    program.save()
    for role, prompts in (questions or {}).items():
        _questions_replace(program=program, role=role, prompts=prompts)
    return program


def _questions_replace(*, program: Program, role: str, prompts: list[tuple[str, bool]]) -> None:
    if role not in Role.values:
        raise ApplicationError(BAD_ROLE, fields={"role": BAD_ROLE})
    cleaned = [
        (prompt.strip(), bool(required))
        for prompt, required in prompts
        if prompt and prompt.strip()
    ]
    if any(len(prompt) > 300 for prompt, _ in cleaned):
        raise ApplicationError(QUESTION_TOO_LONG, fields={f"questions_{role}": QUESTION_TOO_LONG})
    existing = {q.prompt: q for q in EnrolmentQuestion.objects.filter(program=program, role=role)}
    keep = set()
    for position, (prompt, required) in enumerate(cleaned):
        question = existing.get(prompt)
        if question is None:
            EnrolmentQuestion.objects.create(
                program=program, role=role, prompt=prompt, required=required, position=position
            )
        else:
            keep.add(question.pk)
            if (question.required, question.position) != (required, position):
                question.required, question.position = required, position
                question.save(update_fields=["required", "position"])
    EnrolmentQuestion.objects.filter(program=program, role=role).exclude(pk__in=keep).exclude(
        prompt__in=[p for p, _ in cleaned]
    ).delete()


# --- invitations ----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    user,
    program_id: int,
    role: str,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
    auto_approve: bool = False,
) -> Invitation:
    program = access_program_for_admin(user=user, program_id=program_id)
    errors = {}
    if role not in Role.values:
        errors["role"] = BAD_ROLE
    if max_uses is not None and (
        isinstance(max_uses, bool) or not 1 <= max_uses <= MAX_INVITATION_USES
    ):
        errors["max_uses"] = BAD_MAX_USES
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = EXPIRY_IN_PAST
    if errors:
        raise ApplicationError("The invitation could not be created.", fields=errors)
    return Invitation.objects.create(
        program=program,
        role=role,
        token=secrets.token_urlsafe(32),
        auto_approve=auto_approve,
        max_uses=max_uses,
        expires_at=expires_at,
        created_by=user,
    )


@transaction.atomic
def invitation_revoke(*, user, program_id: int, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_related("program")
        .filter(pk=invitation_id, program_id=program_id)
        .first()
    )
    if invitation is None or not is_program_admin(user=user, program=invitation.program):
        raise NotFound("No such invitation.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the link cannot be used now, in words for the visitor; ``None`` when it can."""
    return {
        "revoked": INVITATION_REVOKED,
        "expired": INVITATION_EXPIRED,
        "used up": INVITATION_USED_UP,
    }.get(invitation.state)


def _check_answers(questions: list[EnrolmentQuestion], answers: dict[str, str]) -> dict[str, str]:
    errors, kept = {}, {}
    for question in questions:
        key = f"q{question.pk}"
        value = str(answers.get(key) or "").strip()
        if question.required and not value:
            errors[key] = ANSWER_REQUIRED
        elif len(value) > MAX_ANSWER:
            errors[key] = ANSWER_TOO_LONG
        elif value:
            kept[question.prompt] = value
    if errors:
        raise ApplicationError("Some answers are missing.", fields=errors)
    return kept


@transaction.atomic
def enrolment_join_by_invitation(
    *, user, token: str, answers: dict[str, str] | None = None
) -> Enrolment:
    """Join the invitation's program in its role: pending, or active when it auto-approves.

    ``answers`` maps ``q<question id>`` to the text; they are stored by question prompt.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("program").filter(token=token).first()
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid. Check you copied all of it.")
    problem = invitation_problem(invitation)
    if problem:
        raise ApplicationError(problem, status=409)
    program = invitation.program
    existing = Enrolment.objects.filter(program=program, person=user, role=invitation.role).first()
    if existing is not None:
        raise ApplicationError(
            ALREADY_JOINED.format(
                program=program.name,
                role=existing.get_role_display().lower(),
                status=existing.get_status_display().lower(),
            ),
            status=409,
        )
    questions = list(EnrolmentQuestion.objects.filter(program=program, role=invitation.role))
    kept = _check_answers(questions, answers or {})
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                program=program,
                person=user,
                role=invitation.role,
                answers=kept,
                status=(
                    EnrolmentStatus.ACTIVE if invitation.auto_approve else EnrolmentStatus.PENDING
                ),
                capacity=program.default_capacity if invitation.role == Role.MENTOR else None,
            )
    except IntegrityError:  # a double submit won the race: same answer as joining twice
        raise ApplicationError(
            ALREADY_JOINED.format(
                program=program.name,
                role=invitation.get_role_display().lower(),
                status="just joined",
            ),
            status=409,
        ) from None
    Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    return enrolment


# --- enrolments -----------------------------------------------------------------------------


def _enrolment_for_admin(*, user, program_id: int, enrolment_id: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("program", "person")
        .filter(pk=enrolment_id, program_id=program_id)
        .first()
    )
    if enrolment is None or not is_program_admin(user=user, program=enrolment.program):
        raise NotFound(ENROLMENT_NOT_FOUND)
    return enrolment


@transaction.atomic
def enrolment_set_status(*, user, program_id: int, enrolment_id: int, action: str) -> Enrolment:
    """approve (pending→active), pause (active→paused), reactivate (paused|removed→active),
    remove (pending|active|paused→removed)."""
    if action not in TRANSITIONS:
        raise ApplicationError(
            UNKNOWN_ACTION.format(action=action),
            fields={"action": UNKNOWN_ACTION.format(action=action)},
        )
    enrolment = _enrolment_for_admin(user=user, program_id=program_id, enrolment_id=enrolment_id)
    sources, target = TRANSITIONS[action]
    if enrolment.status not in sources:
        raise ApplicationError(
            BAD_TRANSITION.format(action=action, status=enrolment.get_status_display().lower()),
            status=409,
        )
    if (
        enrolment.role == Role.ADMIN
        and enrolment.status == EnrolmentStatus.ACTIVE
        and target != EnrolmentStatus.ACTIVE
    ):
        other_admins = (
            Enrolment.objects.select_for_update()
            .filter(program=enrolment.program, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE)
            .exclude(pk=enrolment.pk)
        )
        if not other_admins.exists():
            raise ApplicationError(LAST_ADMIN, status=409)
    enrolment.status = target
    enrolment.save(update_fields=["status", "updated_at"])
    return enrolment


@transaction.atomic
def enrolment_update_capacity(
    *, user, program_id: int, enrolment_id: int, capacity: int
) -> Enrolment:
    """A program admin, or the mentor themself, sets how many mentees they take at once.

    The enrolment must belong to ``program_id``: every check runs before the write.
    """
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("program")
        .filter(pk=enrolment_id, program_id=program_id)
        .first()
    )
    if enrolment is None or not (
        enrolment.person_id == user.pk or is_program_admin(user=user, program=enrolment.program)
    ):
        raise NotFound(ENROLMENT_NOT_FOUND)
    if enrolment.role != Role.MENTOR:
        raise ApplicationError(CAPACITY_MENTORS_ONLY, fields={"capacity": CAPACITY_MENTORS_ONLY})
    if (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not (1 <= capacity <= CAPACITY_MAX)
    ):
        message = BAD_CAPACITY.format(max=CAPACITY_MAX)
        raise ApplicationError(message, fields={"capacity": message})
    enrolment.capacity = capacity
    enrolment.save(update_fields=["capacity", "updated_at"])
    return enrolment


# --- imports --------------------------------------------------------------------------------
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
