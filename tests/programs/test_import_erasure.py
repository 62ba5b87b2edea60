"""Leftovers review 8: a participant file kept after an upload (for a day at most) still held a
deleted person's row, name and address, and the deletion only disclosed it. Deleting the
account now takes their rows out of every kept upload and file of rows to fix (the other rows
keep their numbers), their address out of the cells that name it, and a file they uploaded
goes (docs/people.md, *Deleting your account*)."""

from __future__ import annotations

import pytest

from tandem.matching.records.reading import read_rows
from tandem.people.services.closing import account_delete
from tandem.programs.exports import csv_lines, xlsx_bytes
from tandem.programs.models import ImportBatch, ImportStatus, Role
from tests.mentorships.factories import ProgramFactory, member
from tests.people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GONE = "gone.person@example.org"
ROWS = [
    ["email", "role", "name", "manager"],
    [GONE, "mentee", "Gone Person", ""],
    ["stays@example.org", "mentee", "Stays Here", GONE.upper()],
    ["third@example.org", "mentor", "Third One", "stays@example.org"],
]


def _file(workbook: bool, rows=ROWS) -> tuple[str, bytes]:
    if workbook:
        return "people.xlsx", xlsx_bytes(rows)
    return "people.csv", "".join(csv_lines(rows)).encode("utf-8")


def _delete(person) -> None:
    person.set_password(PASSWORD)
    person.save()
    account_delete(user=person, password=PASSWORD)


@pytest.mark.parametrize("workbook", [False, True])
def test_the_persons_rows_leave_every_kept_upload_and_file_to_fix(workbook):
    program = ProgramFactory()
    admin = member(program, Role.ADMIN)
    gone = UserFactory(email=GONE, first_name="Gone", last_name="Person")
    name, content = _file(workbook)
    _, problems = _file(workbook, [[*ROWS[0], "Problems"], [*ROWS[1], "role: no"]])
    batch = ImportBatch.objects.create(
        program=program, uploaded_by=admin, filename=name, content=content, problem_rows=problems
    )
    _delete(gone)
    batch.refresh_from_db()
    after = read_rows(filename=name, content=bytes(batch.content))
    assert [number for number, _ in after] == [1, 3, 4]  # the others keep their numbers
    assert after[1][1][:3] == ["stays@example.org", "mentee", "Stays Here"]
    assert "".join(after[1][1][3:]) == ""  # the manager cell that named them is empty
    assert after[2][1] == ROWS[3]
    for data in (bytes(batch.content), bytes(batch.problem_rows)):
        for cells in (cells for _, cells in read_rows(filename=name, content=data)):
            assert GONE not in " ".join(cells).lower() and "Gone Person" not in cells


def test_a_file_the_person_uploaded_goes():
    program = ProgramFactory()
    uploader = member(program, Role.ADMIN)
    member(program, Role.ADMIN)  # not the last admin, so they may delete their account
    name, content = _file(False)
    previewed = ImportBatch.objects.create(
        program=program, uploaded_by=uploader, filename=name, content=content
    )
    applied = ImportBatch.objects.create(
        program=program,
        uploaded_by=uploader,
        filename=name,
        status=ImportStatus.APPLIED,
        problem_rows=content,
        report={"created": 2},
    )
    other = ImportBatch.objects.create(program=program, filename=name, content=content)
    _delete(uploader)
    assert not ImportBatch.objects.filter(pk=previewed.pk).exists()
    applied.refresh_from_db()
    assert (bytes(applied.problem_rows), applied.report) == (b"", {"created": 2})
    other.refresh_from_db()
    assert bytes(other.content) == content  # names nobody deleted: untouched
