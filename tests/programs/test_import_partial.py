"""Issue 10, item 5: an import with a bad row no longer blocks the good ones. The preview names
each problem by row and by the column's header as written in the file; the admin may import
the good rows at once and download the others, in the upload's format with a "Problems"
column, to fix and upload again; the invitation emails may be held."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook, load_workbook

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.notify import periodic
from tandem.people.models import User
from tandem.programs.imports import (
    execution,
    invitations,
    problems,
    reading,
    services,
    writing,
)
from tandem.programs.models import (
    IMPORT_RETENTION_HOURS,
    Enrolment,
    ImportBatch,
    ImportStatus,
    ParticipantInvitation,
)
from tests.programs.factories import member_of
from tests.programs.test_import import preview, run_on_commit
from tests.workbooks import PARTICIPANT_HEADER, participant_sheets

pytestmark = pytest.mark.django_db

HEADER = ["Email", "Role", "Time Zone", "Meeting Format", "Manager"]
GOOD = [
    ["ana@example.org", "mentee", "Europe/Lisbon", "virtual", ""],
    ["bo@example.org", "mentor", "", "any", ""],
]
BAD = [
    ["cy@example.org", "mentee", "Mars/Base", "hologram", ""],  # two cell problems
    ["not-an-email", "mentor", "", "", ""],
]
NAMES_BAD = ["di@example.org", "mentee", "", "", "cy@example.org"]  # names a bad row


def as_csv(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode()


def as_xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def confirm(program, admin, batch, **choices):
    run_on_commit(
        services.import_confirm,
        user=admin,
        program_id=program.pk,
        batch_id=batch.pk,
        **choices,
    )
    batch.refresh_from_db()
    return batch


def read_back(name: str, content: bytes) -> list[list[str]]:
    if name.endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(content)).active
        return [[cell if cell is not None else "" for cell in row] for row in sheet.values]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


class TestPreview:
    def test_problems_are_named_by_row_and_by_the_header_as_written(self, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))
        assert batch.status == ImportStatus.PREVIEWED  # the good rows may go in
        found = {(e["row"], e["header"]) for e in batch.report["errors"]}
        assert found == {(4, "Time Zone"), (4, "Meeting Format"), (5, "Email")}
        assert all("_" not in e["header"] for e in batch.report["errors"])

    def test_counts_add_up(self, program, admin):
        member_of(program)  # someone already in the program, not in the file
        rows = [*GOOD, ["", "", "", "", ""], *BAD, NAMES_BAD]
        batch = preview(program, admin, as_csv(rows))
        summary = batch.report["summary"]
        assert (summary["read"], summary["good"], summary["with_problems"]) == (6, 2, 3)
        assert summary["skipped_blank"] == 1
        assert summary["invited"] + summary["new"] + summary["updated"] == 2
        assert summary["unchanged"] == 0

    def test_a_row_naming_someone_left_out_is_left_out_too_and_says_why(self, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD, NAMES_BAD]))
        knock_on = [e for e in batch.report["errors"] if e["row"] == 6]
        assert [e["header"] for e in knock_on] == ["Manager"]
        assert knock_on[0]["message"] == problems.REFERS_TO_LEFT_OUT.format(
            email="cy@example.org", rows="4"
        )

    def test_changed_columns_are_named_as_in_the_file(self, program, admin):
        ana = member_of(program)
        header = ["Email", "Role", "Meeting Format"]
        batch = preview(program, admin, as_csv([[ana.email, "mentee", "in_person"]], header))
        assert batch.report["details"][0]["fields"] == ["Meeting Format"]

    def test_a_file_of_only_bad_rows_is_invalid_and_keeps_no_upload(self, program, admin):
        batch = preview(program, admin, as_csv(BAD))
        assert batch.status == ImportStatus.INVALID
        stored = ImportBatch.objects.get(pk=batch.pk)
        assert bytes(stored.content) == b"" and bytes(stored.problem_rows) != b""


class TestImportTheGoodRows:
    def test_writes_exactly_the_good_rows(self, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD, NAMES_BAD]))
        batch = confirm(program, admin, batch, skip_problem_rows=True)
        assert batch.status == ImportStatus.APPLIED, batch.report
        invited = set(ParticipantInvitation.objects.values_list("email", flat=True))
        assert invited == {"ana@example.org", "bo@example.org"}
        assert bytes(ImportBatch.objects.get(pk=batch.pk).content) == b""

    def test_needs_the_explicit_choice(self, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))
        with pytest.raises(ApplicationError) as error:
            services.import_confirm(user=admin, program_id=program.pk, batch_id=batch.pk)
        assert error.value.status == 409 and "skip_problem_rows" in error.value.fields
        assert not ParticipantInvitation.objects.exists()

    def test_rows_whose_problems_changed_since_the_preview_write_nothing(self, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))
        report = {**batch.report, "left_out": [5]}  # as if row 4 had been fine
        ImportBatch.objects.filter(pk=batch.pk).update(report=report)
        batch = confirm(program, admin, batch, skip_problem_rows=True)
        assert batch.status == ImportStatus.PREVIEWED
        assert batch.report["failure"] == execution.PROBLEMS_CHANGED
        assert not ParticipantInvitation.objects.exists()

    def test_a_failed_write_leaves_nothing_half_written(self, program, admin, monkeypatch):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))

        def fail(**kwargs):  # after the accounts of the good rows are written
            raise RuntimeError("disk full")

        monkeypatch.setattr(writing, "invitations_write_for_import", fail)
        batch = confirm(program, admin, batch, skip_problem_rows=True)  # the task fails
        assert batch.status == ImportStatus.PREVIEWED
        assert batch.report["failure"] == execution.IMPORT_FAILED
        assert not User.objects.filter(email__in=["ana@example.org", "bo@example.org"]).exists()
        assert not ParticipantInvitation.objects.exists()


@pytest.mark.parametrize(("filename", "build"), [("people.csv", as_csv), ("people.xlsx", as_xlsx)])
class TestTheFileToFix:
    def test_has_the_header_the_bad_rows_and_their_problems_in_the_same_format(
        self, program, admin, filename, build
    ):
        batch = preview(program, admin, build([*GOOD, *BAD]), filename)
        name, content = services.import_problem_rows(
            user=admin, program_id=program.pk, batch_id=batch.pk
        )
        assert name == filename.replace("people.", "people-problems.")
        rows = read_back(name, content)
        assert rows[0] == [*HEADER, "Problems"]
        assert [row[:5] for row in rows[1:]] == BAD
        assert rows[1][5].splitlines()[0].startswith("Time Zone: ")
        assert rows[2][5].startswith("Email: ")

    def test_fixed_and_uploaded_again_it_imports_them_once(self, program, admin, filename, build):
        first = preview(program, admin, build([*GOOD, *BAD]), filename)
        confirm(program, admin, first, skip_problem_rows=True)
        name, content = services.import_problem_rows(
            user=admin, program_id=program.pk, batch_id=first.pk
        )
        rows = read_back(name, content)
        rows[1][2], rows[1][3] = "Asia/Tokyo", "any"
        rows[2][0] = "eve@example.org"
        fixed = build([row[:5] for row in rows[1:]], [*HEADER, "Problems"])
        second = preview(program, admin, fixed, name)
        assert second.report["errors"] == [] and second.report["warnings"] == []
        confirm(program, admin, second)
        again = preview(program, admin, build([*GOOD, *rows_fixed(rows)]), filename)
        assert again.report["summary"]["unchanged"] == 4  # idempotent: all invited already
        assert ParticipantInvitation.objects.count() == 4


def test_the_file_to_fix_keeps_no_identity_and_a_safe_name(program, admin):
    header = ["email", "role", "identity", "timezone"]
    rows = [["ana@example.org", "mentee", "woman", "Mars/Base"], GOOD[1][:2] + ["", ""]]
    batch = preview(program, admin, as_csv(rows, header), 'na"me\u00e9;x.csv')
    name, content = services.import_problem_rows(
        user=admin, program_id=program.pk, batch_id=batch.pk
    )
    assert name == "namex-problems.csv"  # no quote or non-ASCII letter for the header
    back = read_back(name, content)
    assert back[0] == [*header, "Problems"]
    assert back[1][:4] == ["ana@example.org", "mentee", "", "Mars/Base"]  # identity not kept
    assert "woman" not in content.decode()


def rows_fixed(rows):
    return [row[:5] for row in rows[1:]]


class TestRetentionAndAccess:
    def test_the_file_to_fix_is_gone_with_the_retention(self, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))
        long_ago = timezone.now() - timedelta(hours=IMPORT_RETENTION_HOURS + 1)
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=long_ago)
        with pytest.raises(NotFound):
            services.import_problem_rows(user=admin, program_id=program.pk, batch_id=batch.pk)
        periodic.run_periodic_jobs(timezone.now())
        assert not ImportBatch.objects.filter(pk=batch.pk).exists()

    def test_an_applied_batch_drops_it_with_the_retention(self, program, admin):
        batch = confirm(
            program, admin, preview(program, admin, as_csv([*GOOD, *BAD])), skip_problem_rows=True
        )
        long_ago = timezone.now() - timedelta(hours=IMPORT_RETENTION_HOURS + 1)
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=long_ago)
        services.import_batch_purge(now=timezone.now())
        assert bytes(ImportBatch.objects.get(pk=batch.pk).problem_rows) == b""

    def test_only_the_programs_admins_may_download_it(self, client, program, admin, cast):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))
        url = reverse("program_import_problem_rows", args=[program.slug, batch.pk])
        api = f"/api/programs/{program.slug}/import/{batch.pk}/problem-rows"
        for role, person in cast.items():
            client.logout()
            if not isinstance(person, AnonymousUser):
                client.force_login(person)
            page, answer = client.get(url), client.get(api)
            if role == "program admin":
                assert page.status_code == 200 and answer.status_code == 200, role
                assert page["Content-Disposition"] == ('attachment; filename="people-problems.csv"')
                assert b"not-an-email" in page.content
            elif role == "anonymous":
                assert page.status_code == 302 and answer.status_code == 401, role
            else:
                assert page.status_code == 404 and answer.status_code == 404, role


class TestHeldInvitations:
    def test_held_emails_wait_for_send_now(self, program, admin):
        batch = preview(program, admin, as_csv(GOOD))
        batch = confirm(program, admin, batch, send_invitations=False)
        assert batch.status == ImportStatus.APPLIED and batch.report["invitations_sent"] is False
        assert mail.outbox == []
        held = invitations.participant_invitation_list_unsent(program=program)
        assert {i.delivery for i in held} == {"held"}
        periodic.run_periodic_jobs(timezone.now() + timedelta(days=30))
        assert mail.outbox == []  # the periodic job never sends a held one
        first = held.order_by("email").first()
        run_on_commit(
            invitations.participant_invitations_send_now,
            user=admin,
            program_id=program.pk,
            invitation_ids=[first.pk],
        )
        assert [m.to for m in mail.outbox] == [[first.email]]
        run_on_commit(
            invitations.participant_invitations_send_now, user=admin, program_id=program.pk
        )
        assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
        with pytest.raises(ApplicationError):
            invitations.participant_invitations_send_now(user=admin, program_id=program.pk)

    def test_the_confirm_page_offers_both_choices(self, client, program, admin):
        batch = preview(program, admin, as_csv([*GOOD, *BAD]))
        client.force_login(admin)
        page = client.get(reverse("program_import_preview", args=[program.slug, batch.pk]))
        html = page.content.decode()
        assert 'name="send_invitations"' in html and "checked" in html
        assert 'name="skip_problem_rows" value="on"' in html
        assert "Import the 2 good rows" in html and "people-problems.csv" in html
        assert "availability_json" not in html and "meeting_format" not in html
        client.post(
            reverse("program_import_preview", args=[program.slug, batch.pk]),
            {"skip_problem_rows": "on"},
        )
        batch.refresh_from_db()
        assert batch.report["send_invitations"] is False  # the box unticked: held
        assert Enrolment.objects.filter(program=program).count() == 1


class TestCountsOverHostileSheets:
    """Whatever a file holds, the preview's counts agree with each other and with the file to
    fix, which holds exactly the rows left out, cells as written."""

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sheet=participant_sheets())
    def test_counts_add_up_and_the_file_to_fix_holds_the_rows_left_out(self, program, sheet):
        filename, content, rows = sheet
        table = reading.read_table(filename=filename, content=content)
        checked = execution._import_check(
            program=program, table=table, workbook=filename.endswith(".xlsx")
        )
        s = checked.report["summary"]
        last = max(n for n, row in enumerate(rows, start=2) if row is not None)
        assert s["read"] == last - 1 == s["good"] + s["with_problems"] + s["skipped_blank"]
        assert s["good"] == s["invited"] + s["new"] + s["updated"] + s["unchanged"]
        left_out = checked.report["left_out"]
        assert s["with_problems"] == len(left_out)
        assert {e["row"] for e in checked.report["errors"]} == set(left_out)
        assert all(e["header"] in PARTICIPANT_HEADER for e in checked.report["errors"])
        if not left_out:
            assert checked.problem_rows == b""
            return
        back = read_back(filename, checked.problem_rows)
        assert back[0] == [*PARTICIPANT_HEADER, "Problems"]
        written = [rows[n - 2] for n in left_out]
        assert [row[:4] for row in back[1:]] == [row[:4] for row in written]
        assert all(row[5] for row in back[1:])  # every row says what to fix
