"""Resolving an import's references: managers and ``exclude`` tokens name someone in the file
or the program (never "some account somewhere": that would tell the admin which addresses have
accounts), and an id is not taken in the program by someone else."""

from __future__ import annotations

from collections.abc import Collection

from tandem.matching.records.reading import RowError
from tandem.programs.imports.bulk import chunked
from tandem.programs.imports.reading import EXCLUDE_UNKNOWN, ID_TAKEN, MANAGER_UNKNOWN, ParsedRow
from tandem.programs.models import Enrolment, Program


def resolve_references(
    *, program: Program, rows: list[ParsedRow], emails: Collection[str]
) -> list[RowError]:
    """Manager emails and exclude tokens must name someone in the file or the program (never
    "some account somewhere": that would tell the admin which addresses have accounts); ids
    must not be taken in the program."""
    errors: list[RowError] = []
    file_ids = {row.external_id: row.email for row in rows if row.external_id}
    outside_emails = {row.manager for row in rows if row.manager and row.manager not in emails}
    outside_tokens = {
        token
        for row in rows
        for token in (row.exclude or [])
        if token not in emails and token not in file_ids
    }
    outside_emails |= {token for token in outside_tokens if "@" in token}
    known_emails = set()
    for chunk in chunked(outside_emails):
        known_emails |= set(
            Enrolment.objects.filter(program=program, person__email__in=chunk).values_list(
                "person__email", flat=True
            )
        )
    ids_in_program: dict[str, str] = {}
    for chunk in chunked(set(file_ids) | {t for t in outside_tokens if "@" not in t}):
        for external_id, email in Enrolment.objects.filter(
            program=program, external_id__in=chunk
        ).values_list("external_id", "person__email"):
            ids_in_program.setdefault(external_id, email)
    for row in rows:
        if row.manager and row.manager not in emails and row.manager not in known_emails:
            errors.append(RowError(row.row, "manager", MANAGER_UNKNOWN.format(value=row.manager)))
        if row.external_id and ids_in_program.get(row.external_id, row.email) != row.email:
            errors.append(
                RowError(
                    row.row,
                    "id",
                    ID_TAKEN.format(value=row.external_id, other=ids_in_program[row.external_id]),
                )
            )
        if row.exclude is None:
            row.exclude_emails = None
            continue
        resolved = set()
        for token in row.exclude:
            excluded = (
                token
                if token in emails or token in known_emails
                else file_ids.get(token) or ids_in_program.get(token)
            )
            if excluded is None:
                errors.append(RowError(row.row, "exclude", EXCLUDE_UNKNOWN.format(value=token)))
            else:
                resolved.add(excluded)
        row.exclude_emails = resolved
    return errors
