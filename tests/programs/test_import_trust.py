"""Regression tests of issue 8 for the participant import: who it may write, what its dry run
may reveal, what it keeps, what it stores, and how much memory a hostile workbook costs."""

import io
import json
import time
import tracemalloc
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.matching import io as matching_io
from tandem.matching import sheets
from tandem.matching.sheets import SheetTooLarge, iter_xlsx_rows
from tandem.notify import periodic
from tandem.people.models import AvailabilityWindow, Identity, Profile, User
from tandem.programs.imports import reading, services
from tandem.programs.models import (
    IMPORT_RETENTION_HOURS,
    Enrolment,
    ImportBatch,
    ImportStatus,
    ParticipantInvitation,
)
from tests.programs.factories import ProgramFactory, UserFactory, enrol, member_of
from tests.programs.test_import import confirm, preview
from tests.workbooks import empty_cells_bomb, workbook_bomb

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,goals,timezone,identity,prefer_shared_identity,manager\n"


def row(email, name="Changed Name", identity="other", manager=""):
    return f"{email},{name},mentee,Overwritten goals,Asia/Tokyo,{identity},yes,{manager}\n"


def snapshot(user: User) -> dict:
    """Every stored value about ``user`` that an import could touch."""
    profile = Profile.objects.filter(user=user)
    return {
        "user": list(User.objects.filter(pk=user.pk).values()),
        "profile": list(profile.values()),
        "identity": list(Identity.objects.filter(user=user).values()),
        "windows": list(AvailabilityWindow.objects.filter(profile__user=user).values()),
        "offered": list(profile.values_list("skills_offered")),
        "wanted": list(profile.values_list("skills_wanted")),
        "enrolments": list(Enrolment.objects.filter(person=user).values()),
    }


@pytest.fixture
def outsider():
    """Someone enrolled only in another program, with a profile and an identity record."""
    person = UserFactory(email="yara@example.org", first_name="Yara", last_name="Y")
    Profile.objects.create(user=person, goals="My own goals", timezone="Europe/Lisbon")
    Identity.objects.create(user=person, attributes=["woman"], consented_at=timezone.now())
    enrol(person, ProgramFactory(), role="mentor")
    return person


def same_report(a: ImportBatch, b: ImportBatch, email_a: str, email_b: str) -> None:
    assert a.status == b.status
    assert json.dumps(a.report).replace(email_a, "<email>") == json.dumps(b.report).replace(
        email_b, "<email>"
    )


class TestImportNeverWritesPeopleOutsideTheProgram:
    def test_outsider_is_left_byte_for_byte_unchanged_and_invited(
        self, program, admin, outsider, mailoutbox
    ):
        before = snapshot(outsider)
        batch = confirm(
            program, admin, preview(program, admin, (HEADER + row(outsider.email)).encode())
        )
        assert batch.status == ImportStatus.APPLIED
        assert snapshot(outsider) == before
        assert not Enrolment.objects.filter(program=program, person=outsider).exists()
        invitation = ParticipantInvitation.objects.get(program=program, email=outsider.email)
        assert [m.to for m in mailoutbox] == [[outsider.email]]
        assert invitation.token in mailoutbox[0].body
        assert "password" not in mailoutbox[0].body.lower()  # their account exists already

    def test_outsider_joins_only_by_accepting(self, client, program, admin, outsider):
        confirm(program, admin, preview(program, admin, (HEADER + row(outsider.email)).encode()))
        invitation = ParticipantInvitation.objects.get()
        url = reverse("participant_invitation", args=[invitation.token])
        client.force_login(UserFactory())
        assert client.get(url).status_code == 404  # someone else's invitation
        client.force_login(outsider)
        assert b"Accept and join" in client.get(url).content
        client.post(url, {"answer": "accept"})
        enrolment = Enrolment.objects.get(program=program, person=outsider)
        assert (enrolment.role, enrolment.status) == ("mentee", "active")
        assert Profile.objects.get(user=outsider).goals == "My own goals"

    def test_declining_enrols_nobody(self, program, admin, outsider):
        confirm(program, admin, preview(program, admin, (HEADER + row(outsider.email)).encode()))
        token = ParticipantInvitation.objects.get().token
        services.participant_invitation_answer(user=outsider, token=token, accept=False)
        assert not Enrolment.objects.filter(program=program, person=outsider).exists()
        with pytest.raises(ApplicationError):
            services.participant_invitation_answer(user=outsider, token=token, accept=True)

    def test_identity_is_never_written_even_for_members(self, program, admin):
        member = member_of(program)
        Identity.objects.create(user=member, attributes=["woman"], consented_at=timezone.now())
        before = list(Identity.objects.filter(user=member).values())
        batch = confirm(
            program, admin, preview(program, admin, (HEADER + row(member.email)).encode())
        )
        assert batch.status == ImportStatus.APPLIED
        assert list(Identity.objects.filter(user=member).values()) == before
        assert Profile.objects.get(user=member).goals == "Overwritten goals"  # a member: updated

    def test_identity_values_are_not_kept_in_the_report(self, program, admin):
        batch = preview(
            program, admin, (HEADER + row("new@example.org", identity="secret-x")).encode()
        )
        assert "secret-x" not in json.dumps(batch.report)
        assert reading.IDENTITY_IGNORED.split(":")[0] in batch.report["warnings"][0]


class TestDryRunIsNoOracle:
    def test_outsider_looks_exactly_like_an_address_nobody_has(self, program, admin, outsider):
        known = preview(program, admin, (HEADER + row(outsider.email)).encode())
        unknown = preview(program, admin, (HEADER + row("nobody@example.org")).encode())
        same_report(known, unknown, outsider.email, "nobody@example.org")
        assert known.report["summary"]["invited"] == 1

    def test_stored_identity_does_not_change_the_counts(self, program, admin):
        member = member_of(program)
        Identity.objects.create(user=member, attributes=["woman"], consented_at=timezone.now())
        equal = preview(program, admin, (HEADER + row(member.email, identity="woman")).encode())
        other = preview(program, admin, (HEADER + row(member.email, identity="man")).encode())
        assert equal.report == other.report

    def test_manager_reference_does_not_reveal_accounts(self, program, admin, outsider):
        member = member_of(program)
        known = preview(
            program, admin, (HEADER + row(member.email, manager=outsider.email)).encode()
        )
        unknown = preview(
            program, admin, (HEADER + row(member.email, manager="nobody@example.org")).encode()
        )
        same_report(known, unknown, outsider.email, "nobody@example.org")
        assert [e["column"] for e in known.report["errors"]] == ["manager"]

    def test_exclude_reference_does_not_reveal_accounts(self, program, admin, outsider):
        content = "email,role,exclude\n{0},mentee,{1}\n"
        member = member_of(program)
        known = preview(program, admin, content.format(member.email, outsider.email).encode())
        unknown = preview(program, admin, content.format(member.email, "no@example.org").encode())
        same_report(known, unknown, outsider.email, "no@example.org")


class TestControlCharacters:
    def test_nul_bytes_become_cell_errors_and_are_never_stored(self, program, admin):
        content = b"email,name,role,goals\nnul@example.org,Nu\x00l,mentee,a\x07b\n"
        batch = preview(program, admin, content, "bad\x00name.csv")
        assert batch.status == ImportStatus.INVALID
        assert {(e["row"], e["column"]) for e in batch.report["errors"]} == {
            (2, "name"),
            (2, "goals"),
        }
        assert "U+0000" in batch.report["errors"][0]["message"]
        stored = ImportBatch.objects.get(pk=batch.pk)
        assert bytes(stored.content) == b"" and "\x00" not in stored.filename
        assert "\x00" not in json.dumps(stored.report) and "\\u0000" not in json.dumps(
            stored.report
        )
        assert not User.objects.filter(email="nul@example.org").exists()

    def test_control_character_in_header_is_a_file_error(self, program, admin):
        batch = preview(program, admin, b"email,ro\x00le\nx@example.org,mentee\n")
        assert batch.report["file_error"] == reading.HEADER_CONTROL


class TestRetention:
    def test_bytes_are_dropped_once_imported_or_invalid(self, program, admin):
        good = confirm(
            program, admin, preview(program, admin, (HEADER + row("a@example.org")).encode())
        )
        bad = preview(program, admin, b"email,role\nnot-an-email,mentee\n")
        for batch in (good, bad):
            assert bytes(ImportBatch.objects.get(pk=batch.pk).content) == b""

    def test_abandoned_uploads_are_purged_by_the_periodic_job(self, program, admin):
        old = preview(program, admin, (HEADER + row("a@example.org")).encode())
        fresh = preview(program, admin, (HEADER + row("b@example.org")).encode())
        applied = confirm(
            program, admin, preview(program, admin, (HEADER + row("c@example.org")).encode())
        )
        long_ago = timezone.now() - timedelta(hours=IMPORT_RETENTION_HOURS + 1)
        ImportBatch.objects.filter(pk__in=[old.pk, applied.pk]).update(created_at=long_ago)
        assert "programs.import_purge" in periodic.registered_jobs()
        results = periodic.run_periodic_jobs(timezone.now())
        assert results["programs.import_purge"] == 1
        assert set(ImportBatch.objects.values_list("pk", flat=True)) == {fresh.pk, applied.pk}

    def test_confirming_a_purged_upload_is_not_found(self, program, admin):
        batch = preview(program, admin, (HEADER + row("a@example.org")).encode())
        ImportBatch.objects.filter(pk=batch.pk).update(
            created_at=timezone.now() - timedelta(hours=IMPORT_RETENTION_HOURS + 1)
        )
        services.import_batch_purge(now=timezone.now())
        with pytest.raises(NotFound):
            services.import_confirm(user=admin, program_id=program.pk, batch_id=batch.pk)


class TestSpreadsheetLimits:
    def test_declared_full_sheet_is_read_in_bounded_memory_and_time(self):
        content = workbook_bomb()
        assert len(content) < 6000
        tracemalloc.start()
        started = time.perf_counter()
        try:
            table = reading.read_table(filename="bomb.xlsx", content=content)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert [record.values for record in table.rows] == [
            {"email": "a@example.org", "role": "mentee"}
        ]
        assert peak < 20 * 1024 * 1024  # was: every padded row kept, far beyond any RAM
        assert time.perf_counter() - started < 5

    def test_content_far_right_is_refused_with_the_limit(self, program, admin):
        batch = preview(program, admin, workbook_bomb(far_value="x"), "bomb.xlsx")
        assert batch.status == ImportStatus.INVALID
        assert batch.report["file_error"] == sheets.TOO_MANY_COLUMNS.format(
            row=1048576, limit=sheets.MAX_COLUMNS
        )

    def test_row_cell_and_unzipped_limits_name_the_limit(self):
        book = Workbook()
        for number in range(5):
            book.active.append([f"p{number}@example.org", "mentee"])
        buffer = io.BytesIO()
        book.save(buffer)
        with pytest.raises(SheetTooLarge, match="more than 3 participant rows"):
            list(iter_xlsx_rows(io.BytesIO(buffer.getvalue()), max_rows=3))
        with pytest.raises(SheetTooLarge, match="more than 7 cells"):
            list(iter_xlsx_rows(io.BytesIO(buffer.getvalue()), max_cells=7))
        with pytest.raises(SheetTooLarge, match="unpacks to more than"):
            list(iter_xlsx_rows(io.BytesIO(buffer.getvalue()), max_uncompressed=1000))

    def test_csv_rows_and_columns_are_limited(self, program, admin):
        lines = "".join(f"p{n}@x.org,mentee\n" for n in range(sheets.MAX_ROWS + 1))
        with pytest.raises(ApplicationError) as error:
            reading.read_table(filename="a.csv", content=f"email,role\n{lines}".encode())
        assert error.value.fields["file"] == sheets.TOO_MANY_ROWS.format(limit=sheets.MAX_ROWS)
        wide = "email,role" + "," * 100 + "x\na@example.org,mentee\n"
        with pytest.raises(ApplicationError) as error:
            reading.read_table(filename="a.csv", content=wide.encode())
        assert error.value.fields["file"] == sheets.TOO_MANY_COLUMNS.format(row=1, limit=64)

    def test_a_row_of_a_million_empty_cells_is_refused_in_bounded_memory(self):
        tracemalloc.start()
        try:
            with pytest.raises(ApplicationError) as error:
                reading.read_table(filename="bomb.xlsx", content=empty_cells_bomb())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert error.value.fields["file"] == sheets.TOO_MANY_ROW_CELLS.format(row=3, limit=64)
        assert peak < 50 * 1024 * 1024

    def test_tandem_match_reader_shares_the_bounded_reader(self, tmp_path):
        path = tmp_path / "bomb.xlsx"
        path.write_bytes(workbook_bomb())
        header, rows = matching_io.read_plain_table(path)
        assert header == ["email", "role"] and len(rows) == 1
        path.write_bytes(workbook_bomb(far_value="x"))
        with pytest.raises(matching_io.InputError, match="to the right of column"):
            matching_io.read_plain_table(path)


def test_a_plan_made_stale_by_a_membership_change_is_not_written(program, admin):
    """The write checks the plan outside its transaction; one query inside notices that
    someone left the program in between, so they are not edited as a member."""
    from tandem.programs.imports import planning

    member = member_of(program)
    table = reading.read_table(filename="a.csv", content=(HEADER + row(member.email)).encode())
    plan = planning.import_plan(program=program, rows=reading.check_rows(table)[0])
    assert not planning.import_plan_is_stale(program=program, plan=plan)
    Enrolment.objects.filter(person=member).update(status="removed")
    assert planning.import_plan_is_stale(program=program, plan=plan)


def test_upload_page_still_checks_csrf_after_the_size_check(program, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    upload = SimpleUploadedFile("people.csv", (HEADER + row("a@example.org")).encode())
    response = client.post(reverse("program_import", args=[program.slug]), {"file": upload})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


class TestRequestBodyLimit:
    """The ASGI guard in front of Django: an oversized upload is refused unread."""

    @staticmethod
    def run(headers, chunks, max_bytes=100):
        import asyncio

        from tandem.core.body_limit import limit_request_body

        sent, got, pulled = [], [], []

        async def app(scope, receive, send):
            while True:
                message = await receive()
                got.append(message["type"])
                if message["type"] == "http.disconnect" or not message.get("more_body"):
                    break
            await send({"type": "http.response.start", "status": 200, "headers": []})

        async def receive():
            pulled.append(1)
            body, more = chunks.pop(0)
            return {"type": "http.request", "body": body, "more_body": more}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "path": "/api/programs/x/import", "headers": headers}
        asyncio.run(limit_request_body(app, max_bytes=max_bytes)(scope, receive, send))
        return sent, got, pulled

    def test_declared_length_over_the_limit_is_refused_before_reading(self):
        sent, got, pulled = self.run([(b"content-length", b"5000")], [(b"x" * 5000, False)])
        assert sent[0]["status"] == 413 and not got and not pulled
        assert json.loads(sent[1]["body"])["detail"].startswith("The request is")

    def test_body_without_length_is_cut_off_at_the_limit(self):
        chunks = [(b"x" * 60, True), (b"x" * 60, True), (b"x" * 60, False)]
        _, got, pulled = self.run([], chunks)
        assert got == ["http.request", "http.disconnect"] and len(pulled) == 2

    def test_small_body_passes(self):
        sent, got, _ = self.run([(b"content-length", b"10")], [(b"x" * 10, False)])
        assert sent[0]["status"] == 200 and got == ["http.request"]
