"""What uploaded participant files keep of a deleted account (docs/people.md, *Deleting your
account*). A file is kept only for a while (``ImportBatch``: emptied once imported, deleted a
day after an upload never imported, its rows with problems deleted a day after the upload), but
within that time it still held the person's row with their name and address:

- a file the person uploaded (as a program's admin) is theirs: an upload not imported is
  deleted (one being checked or written too: that stops, nothing written), and the bytes of
  any other (the file of rows to fix too) are emptied;
- in anyone else's upload, and in its file of rows to fix, the person's own rows are emptied
  (every cell, so the other rows keep their numbers and the report still points at them) and
  their address is taken out of every other cell that names it (a manager, an exclusion).

An upload being checked or imported at that moment is erased too, its row locked first. Each
rewrite bumps ``ImportBatch.revision``: the check stores its result, and the
write writes, only for the revision they read, and run again on the erased file otherwise.
"""

from __future__ import annotations

import re

from django.db.models import F, Q

from tandem.core.locking import lockable
from tandem.matching.records.reading import FileError, read_rows
from tandem.matching.sheets import is_workbook
from tandem.people.models import User
from tandem.people.services.closing import Former
from tandem.programs.exports import csv_lines, xlsx_bytes
from tandem.programs.imports.reading import column_name
from tandem.programs.models import ImportBatch, ImportStatus

# Never imported, or not yet: the person's own upload goes (checked or applied, its report stays).
NOT_IMPORTED = (ImportStatus.PREVIEWED, ImportStatus.CHECKING, ImportStatus.APPLYING)
_EMAIL_TAIL = r"(?![\w@+-]|\.\w)"  # the address ends here (a full stop may follow it)


def import_files_erase_for_closed_account(*, user: User, former: Former) -> None:
    """Called by the programs' account eraser with the address the account had, before it
    locks any program: an import's write locks its upload, then the program, and so does this
    (``execution``)."""
    holding = ImportBatch.objects.filter(
        Q(uploaded_by=user) | ~Q(content=b"") | ~Q(problem_rows=b"")
    )
    for batch_id in holding.order_by("pk").values_list("pk", flat=True):
        # Locked and read again: a check or a write may have changed it since (an applied
        # upload's bytes are empty, and must stay so).
        batch = lockable(ImportBatch.objects.filter(pk=batch_id), for_update=True).first()
        if batch is not None:
            _erase(batch, user=user, former=former)


def _erase(batch: ImportBatch, *, user: User, former: Former) -> None:
    changed: dict[str, bytes]
    if batch.uploaded_by_id == user.pk:
        if batch.status in NOT_IMPORTED:
            batch.delete()
            return
        changed = {"content": b"", "problem_rows": b""}
    elif former.email:
        changed = {
            name: without_person(batch.filename, bytes(data), former.email)
            for name in ("content", "problem_rows")
            if (data := getattr(batch, name))
        }
    else:
        return
    changed = {name: data for name, data in changed.items() if data != bytes(getattr(batch, name))}
    if changed:
        ImportBatch.objects.filter(pk=batch.pk).update(revision=F("revision") + 1, **changed)


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
    """``cell`` without ``address`` and one separator next to it (a comma, a semicolon or
    spaces), the rest of its text as it was."""
    if address not in cell.lower():
        return cell
    at = rf"(?<![\w.+@-]){re.escape(address)}{_EMAIL_TAIL}"
    found = re.compile(rf"{at}\s*[,;]\s*|\s*[,;]\s*{at}|\s+{at}|{at}\s+|{at}", flags=re.IGNORECASE)
    return found.sub("", cell)
