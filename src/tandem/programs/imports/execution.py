"""The work of an import's background tasks: check an uploaded file, and write a confirmed one.

Below the services that queue it (``services`` -> ``tasks`` -> ``execution``), so nothing here
imports the tasks.
"""

from __future__ import annotations

import logging
import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.people.models import User
from tandem.programs.imports.planning import ImportPlan, import_plan, import_plan_is_stale
from tandem.programs.imports.reading import COLUMNS, Table, check_rows, read_table
from tandem.programs.imports.writing import import_apply, import_prepare
from tandem.programs.models import ImportBatch, ImportStatus, Program

logger = logging.getLogger(__name__)

IMPORT_RACE = (
    "Someone changed these participants while the file was being imported; "
    "nothing was written. Confirm again to re-check the file."
)
IMPORT_FAILED = "The import stopped with an unexpected error; nothing was written. Try again."


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
                fields: dict[str, object] = {"status": ImportStatus.INVALID, "report": report}
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
