"""What uploaded participant files keep of a deleted account (docs/people.md, *Deleting your
account*). A file is kept only for a while (``ImportBatch``: emptied once imported, deleted a
day after an upload never imported, its rows with problems deleted a day after the upload), but
within that time it still held the person's row with their name and address:

- a file the person uploaded (as a program's admin) is theirs: an upload never imported is
  deleted, and the bytes of any other (the file of rows to fix too) are emptied;
- in anyone else's upload, and in its file of rows to fix, the person's own rows are emptied
  (every cell, so the other rows keep their numbers and the report still points at them) and
  their address is taken out of every other cell that names it (a manager, an exclusion).

An upload being checked or imported at that moment is left to its task, which empties it.
"""

from __future__ import annotations

import re

from django.db.models import Q

from tandem.matching.records.reading import FileError, read_rows
from tandem.matching.sheets import is_workbook
from tandem.people.models import User
from tandem.people.services.closing import Former
from tandem.programs.exports import csv_lines, xlsx_bytes
from tandem.programs.imports.reading import column_name
from tandem.programs.models import ImportBatch, ImportStatus

BUSY = (ImportStatus.CHECKING, ImportStatus.APPLYING)
_SEPARATORS = re.compile(r"[,;\s]+")


def import_files_erase_for_closed_account(*, user: User, former: Former) -> None:
    """Called by the programs' account eraser with the address the account had."""
    holding = ImportBatch.objects.filter(
        Q(uploaded_by=user) | ~Q(content=b"") | ~Q(problem_rows=b"")
    ).exclude(status__in=BUSY)
    for batch in holding.order_by("pk"):
        if batch.uploaded_by_id == user.pk:
            if batch.status == ImportStatus.PREVIEWED:
                batch.delete()
            else:
                ImportBatch.objects.filter(pk=batch.pk).update(content=b"", problem_rows=b"")
            continue
        if not former.email:
            continue
        changed = {
            name: without_person(batch.filename, bytes(data), former.email)
            for name in ("content", "problem_rows")
            if (data := getattr(batch, name))
        }
        changed = {
            name: data for name, data in changed.items() if data != bytes(getattr(batch, name))
        }
        if changed:
            ImportBatch.objects.filter(pk=batch.pk).update(**changed)


def without_person(filename: str, content: bytes, email: str) -> bytes:
    """``content`` (CSV or XLSX, as uploaded or as the file of rows to fix) without the rows of
    ``email`` and without ``email`` in any other cell; the same bytes when it names nobody of
    that address, and nothing when it cannot be read any more (no import can use it)."""
    address = email.strip().lower()
    if address.encode() not in content.lower() and not is_workbook(filename, content):
        return content
    try:
        rows = read_rows(filename=filename, content=content)
    except FileError:
        return b""
    header_number, header = rows[0]
    emails = [k for k, cell in enumerate(header) if column_name(cell) == "email"]
    kept: dict[int, list[str]] = {header_number: header}
    for number, cells in rows[1:]:
        if any(k < len(cells) and cells[k].strip().lower() == address for k in emails):
            continue  # their row: left blank, so every other row keeps its number
        kept[number] = [_without_address(cell, address) for cell in cells]
    if all(kept.get(number) == cells for number, cells in rows):
        return content
    # Row by row from the first, blank rows where rows were: the numbers the report quotes.
    out = [kept.get(number, []) for number in range(1, max(kept) + 1)]
    if is_workbook(filename, content):
        return xlsx_bytes(out)
    return "".join(csv_lines(out)).encode("utf-8")


def _without_address(cell: str, address: str) -> str:
    if address not in cell.lower():
        return cell
    tokens = [token for token in _SEPARATORS.split(cell) if token]
    return ", ".join(token for token in tokens if token.lower() != address)
