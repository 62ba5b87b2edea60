"""The work of an import's background tasks: check an uploaded file, and write a confirmed one.

Below the services that queue it (``services`` -> ``tasks`` -> ``execution``), so nothing here
imports the tasks.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.matching.sheets import is_workbook
from tandem.people.models import User
from tandem.programs.imports.planning import ImportPlan, import_plan, import_plan_is_stale
from tandem.programs.imports.problems import problem_file, rows_left_out
from tandem.programs.imports.reading import COLUMNS, Table, check_rows, read_table
from tandem.programs.imports.writing import import_apply, import_prepare
from tandem.programs.models import ImportBatch, ImportStatus, Program
from tandem.programs.services.waitlist import program_lock

logger = logging.getLogger(__name__)

IMPORT_RACE = (
    "Someone changed these participants while the file was being imported; "
    "nothing was written. Confirm again to re-check the file."
)
IMPORT_FAILED = "The import stopped with an unexpected error; nothing was written. Try again."
PROBLEMS_CHANGED = (
    "Checked again, the file's rows with problems are not the ones you saw (someone changed the "
    "participants meanwhile); nothing was written. Look at the report below and confirm again."
)
IMPORT_HAS_PROBLEMS = (
    "Some rows have problems: choose to import only the good rows, or fix the file and upload "
    "it again. Nothing was written."
)


@dataclass
class Checked:
    """One check of a file: the plan of its good rows, the report, the file of rows to fix."""

    plan: ImportPlan
    report: dict
    problem_rows: bytes = b""


class ProblemsChanged(Exception):
    """The re-check left out other rows than the admin confirmed."""

    def __init__(self, checked: Checked):
        super().__init__("rows with problems changed")
        self.checked = checked


def _import_check(
    *, program: Program, table: Table, workbook: bool = False, create_only: bool = False
) -> Checked:
    """Check every row, leave out the rows with problems (and those naming someone left out),
    and plan the rest; the report names each problem by row and by its column's header as
    written in the file."""
    rows, errors = check_rows(table)
    plan = import_plan(program=program, rows=rows, create_only=create_only)
    errors = [*errors, *plan.errors]
    members = {email for email, person in plan.people.items() if person.member}
    left_out, knock_on = rows_left_out(rows, errors, members)
    errors += knock_on
    # Planned without the rows left out, the rest must plan cleanly; should a reference the
    # work list did not foresee fail, that row is left out too and the rest planned again.
    while left_out:
        good = [row for row in rows if row.row not in left_out]
        plan = import_plan(program=program, rows=good, create_only=create_only)
        if not plan.errors:
            break
        errors += plan.errors
        left_out |= {error.row for error in plan.errors}
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))
    with_problems = sum(1 for record in table.rows if record.row in left_out)
    blank = table.last_row - table.header_row - len(table.rows)
    report = {
        "ok": not errors,
        "errors": [
            {**error.as_dict(), "header": table.header_of(error.column)} for error in errors
        ],
        "warnings": table.warnings,
        "summary": plan.summary(len(table.rows), with_problems=with_problems, skipped_blank=blank),
        "details": plan.details(table.header_of),
        "left_out": sorted(left_out),
    }
    problem_rows = problem_file(table=table, errors=errors, workbook=workbook) if errors else b""
    return Checked(plan=plan, report=report, problem_rows=problem_rows)


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
    dropped at once (it can never be confirmed); a clean one becomes ``previewed``. The result
    is stored only for the bytes it read: should a deleted account's rows have been erased from
    them meanwhile (``revision``, ``erasure``), the erased file is checked again.
    """
    while True:
        batch = ImportBatch.objects.select_related("program").filter(pk=batch_id).first()
        if batch is None or batch.status != ImportStatus.CHECKING:
            return batch
        fields = _checked(batch)
        current = ImportBatch.objects.filter(
            pk=batch.pk, status=ImportStatus.CHECKING, revision=batch.revision
        )
        if current.update(**fields):
            return ImportBatch.objects.filter(pk=batch_id).first()


def _checked(batch: ImportBatch) -> dict:
    """The fields the check of ``batch``'s bytes stores."""
    _progress(batch.pk, "Reading the file")
    problem_rows = b""
    try:
        content = bytes(batch.content)
        table = read_table(filename=batch.filename, content=content)
        _progress(batch.pk, f"Checking {len(table.rows):,} rows")
        checked = _import_check(
            program=batch.program, table=table, workbook=is_workbook(batch.filename, content)
        )
        report, problem_rows = checked.report, checked.problem_rows
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
    importable = report["summary"] is not None and report["summary"]["good"] > 0
    status = ImportStatus.PREVIEWED if importable else ImportStatus.INVALID
    fields = {"status": status, "report": report, "progress": "", "problem_rows": problem_rows}
    if status == ImportStatus.INVALID:
        fields["content"] = b""
    return fields


def import_batch_apply(*, batch_id: int) -> ImportBatch | None:
    """The confirmed write (run by the task): re-check, then write everything or nothing.

    Reading and checking the file happen before the transaction, which then only confirms that
    the plan is still current (who is in the program, which roles they hold) and writes: on
    SQLite the write lock is held for the write alone, not for the minutes a large check takes.
    Should a deleted account's rows have been erased from the bytes since they were read
    (``revision``, ``erasure``), the erased file is read and checked again.
    """
    while True:
        batch = ImportBatch.objects.select_related("program").filter(pk=batch_id).first()
        if batch is None or batch.status != ImportStatus.APPLYING:
            return batch
        if _apply(batch):
            return ImportBatch.objects.filter(pk=batch_id).first()


def _apply(batch: ImportBatch) -> bool:
    """One run of the write; False when the bytes it read were erased meanwhile (or the
    upload is no longer being written): nothing was written or stored, read it again."""
    confirmed = batch.report
    # What the failures below store, only for the bytes they read.
    same = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportStatus.APPLYING, revision=batch.revision
    )
    try:
        _progress(batch.pk, "Checking the file again")
        content = bytes(batch.content)
        table = read_table(filename=batch.filename, content=content)
        workbook = is_workbook(batch.filename, content)
        checked = _import_check(program=batch.program, table=table, workbook=workbook)
        if checked.report["left_out"] != confirmed.get("left_out", []):
            raise ProblemsChanged(checked)
        if checked.report["errors"] and not confirmed.get("skip_problem_rows"):
            raise ApplicationError(IMPORT_HAS_PROBLEMS, status=409)
        import_prepare(plan=checked.plan)
        _progress(batch.pk, f"Writing {checked.report['summary']['good']:,} rows")
        started = time.perf_counter()
        if not _write(batch, checked):
            return False
        logger.info(
            "import batch %s: %s rows, write transaction %.2f s",
            batch.pk,
            len(table.rows),
            time.perf_counter() - started,
        )
    except ProblemsChanged as changed:
        return bool(
            same.update(
                status=ImportStatus.PREVIEWED,
                progress="",
                report={**changed.checked.report, "failure": PROBLEMS_CHANGED},
                problem_rows=changed.checked.problem_rows,
            )
        )
    except (IntegrityError, ApplicationError) as error:
        message = IMPORT_RACE if isinstance(error, IntegrityError) else error.message
        return bool(
            same.update(
                status=ImportStatus.PREVIEWED,
                progress="",
                report={**batch.report, "failure": message},
            )
        )
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.PREVIEWED,
            progress="",
            report={**batch.report, "failure": IMPORT_FAILED},
        )
        raise
    return True


def _write(batch: ImportBatch, checked: Checked) -> bool:
    """The write transaction; False, writing nothing, when the upload's bytes are no longer
    the ones checked (erased meanwhile) or it is no longer being written."""
    confirmed, plan, report = batch.report, checked.plan, checked.report
    with transaction.atomic():
        locked = (
            ImportBatch.objects.select_for_update()
            .defer("content", "problem_rows")
            .filter(pk=batch.pk)
            .first()
        )
        if locked is None or locked.status != ImportStatus.APPLYING:
            return False
        if locked.revision != batch.revision:
            return False
        # The program's lock first (the writer takes it too): what the plan is checked
        # against cannot change until the write commits.
        program = program_lock(program_id=batch.program_id)
        if import_plan_is_stale(program=program, plan=plan):
            raise ApplicationError(IMPORT_RACE, status=409)
        send = confirmed.get("send_invitations", True)
        invited_by = User.objects.filter(pk=confirmed.get("confirmed_by")).first()
        import_apply(program=program, plan=plan, invited_by=invited_by, welcome=send)
        applied = {
            **report,
            "applied": report["summary"],
            "invitations_sent": send,
            "waitlisted": plan.waitlisted(),
        }
        fields = {
            "status": ImportStatus.APPLIED,
            "applied_at": timezone.now(),
            "report": applied,
        }
        ImportBatch.objects.filter(pk=batch.pk).update(content=b"", progress="", **fields)
    return True
