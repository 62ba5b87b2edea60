import io
from unittest import mock

import pytest
from openpyxl import Workbook

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.matching.records import columns as record_columns
from tandem.matching.records import reading as record_reading
from tandem.people.models import Identity, Profile, User
from tandem.programs.imports import execution, planning, reading, services, writing
from tandem.programs.models import Enrolment, ImportBatch, ImportStatus, ParticipantInvitation
from tests.programs.factories import ProgramFactory, UserFactory, admin_of, member_of

pytestmark = pytest.mark.django_db

HEADER = (
    "email,name,role,goals,expertise,skills,seniority,languages,timezone,availability,"
    "format,city,cadence,department,capacity,identity,prefer_shared_identity,exclude,"
    "manager,id"
)
ANA = (
    "ana@example.org,Ana Silva,mentee,Learn SQL,,SQL;Python,2,en;pt,America/Sao_Paulo,"
    "Mon 09:00-12:00; Fri 22:00-01:00,virtual,São Paulo,weekly,Data,,woman,yes,m1,"
    "bo@example.org,e1"
)
BO = (
    "bo@example.org,Bo Chen,mentor,,Data modelling,SQL;dbt,7,en,Europe/Berlin,"
    "Tue 10:00-12:00,any,Berlin,biweekly,Data,3,,,,,m1"
)


def csv_bytes(*rows, header=HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def run_on_commit(function, **kwargs):
    """Call ``function`` and run what it queued on commit (the import tasks, the emails)."""
    from django.db import connection

    start = len(connection.run_on_commit)
    result = function(**kwargs)
    while len(connection.run_on_commit) > start:  # tasks may queue more (emails)
        _, callback, _ = connection.run_on_commit.pop(start)
        callback()
    return result


def preview(program, admin, content, filename="people.csv"):
    """Upload and run the dry run's background task; the batch as the admin then sees it."""
    batch = run_on_commit(
        services.import_preview,
        user=admin,
        program_id=program.pk,
        filename=filename,
        content=content,
    )
    batch.refresh_from_db()
    return batch


def confirm(program, admin, batch):
    """Confirm and run the write's background task; the batch afterwards."""
    run_on_commit(services.import_confirm, user=admin, program_id=program.pk, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def accept(email):
    """The invited person accepts every pending invitation sent to ``email``."""
    user = User.objects.get(email=email)
    for invitation in ParticipantInvitation.objects.filter(email=email, accepted_at=None):
        services.participant_invitation_answer(user=user, token=invitation.token, accept=True)
    return user


def import_and_join(program, admin, content, filename="people.csv"):
    """Import a file and let everyone invited accept: the old "import enrols" in two steps."""
    batch = confirm(program, admin, preview(program, admin, content, filename))
    assert batch.status == ImportStatus.APPLIED, batch.report
    for email in set(ParticipantInvitation.objects.values_list("email", flat=True)):
        accept(email)
    return batch


def file_error(program, admin, content, filename="people.csv") -> str:
    """The file-level message: refused at upload (nothing stored) or by the check (the batch
    is invalid and its bytes are gone)."""
    try:
        batch = preview(program, admin, content, filename)
    except ApplicationError as error:
        assert not ImportBatch.objects.exists()
        return error.fields["file"]
    assert batch.status == ImportStatus.INVALID
    assert bytes(ImportBatch.objects.get(pk=batch.pk).content) == b""
    return batch.report["file_error"]


class TestUnreadableFiles:
    def test_bad_encoding_says_save_as_csv_utf8(self, program, admin):
        content = csv_bytes(ANA.replace("São", "S\u00e3o"), BO).decode().encode("latin-1")
        assert file_error(program, admin, content) == record_reading.BAD_ENCODING
        assert "CSV UTF-8" in record_reading.BAD_ENCODING

    def test_utf8_bom_is_fine(self, program, admin):
        batch = preview(program, admin, b"\xef\xbb\xbf" + csv_bytes(ANA, BO))
        assert batch.status == ImportStatus.PREVIEWED

    def test_missing_required_columns(self, program, admin):
        message = file_error(program, admin, b"email,name\nx@example.org,X\n")
        assert message == record_reading.MISSING_COLUMN.format(column="role")

    def test_no_data_rows(self, program, admin):
        assert file_error(program, admin, (HEADER + "\n\n,,,\n").encode()) == record_reading.NO_ROWS

    def test_empty(self, program, admin):
        assert file_error(program, admin, b"  \n") == record_reading.FILE_EMPTY

    def test_xlsx_that_is_not_a_workbook(self, program, admin):
        assert (
            file_error(program, admin, b"PK\x03\x04garbage", "people.xlsx")
            == record_reading.NOT_A_WORKBOOK
        )
        message = file_error(program, admin, b"hello,world", "people.xlsx")
        assert message == record_reading.NOT_A_WORKBOOK

    def test_too_large(self, program, admin):
        content = csv_bytes(ANA) + b"\n" + b"x" * reading.MAX_UPLOAD_BYTES
        assert "larger than the limit of 5 MB" in file_error(program, admin, content)

    def test_duplicate_header(self, program, admin):
        assert "twice" in file_error(program, admin, b"email,role,email\na@b.org,mentee,x\n")


class TestRowErrors:
    def test_every_problem_is_reported_with_row_and_column(self, program, admin):
        rows = [
            "not-an-email,X,boss,,,,11,en;xx,Mars/Olympus,Someday 9-5,bus,,often,,,,,,,",
            "c@example.org,C,mentor,,,,3,en,UTC,Mon 09:00-10:00,virtual,,weekly,,0,,maybe,,,",
            "d@example.org,D,mentee,,,,,,,,,,,,2,,,nobody@example.org,ghost@example.org,",
        ]
        batch = preview(program, admin, csv_bytes(*rows))
        assert batch.status == ImportStatus.INVALID
        found = {(e["row"], e["column"]) for e in batch.report["errors"]}
        assert found == {
            (2, "email"),
            (2, "role"),
            (2, "seniority"),
            (2, "languages"),
            (2, "timezone"),
            (2, "availability"),
            (2, "format"),
            (2, "cadence"),
            (3, "capacity"),  # "maybe" in prefer_shared_identity: ignored, not read
            (4, "capacity"),
            (4, "exclude"),
            (4, "manager"),
        }
        messages = {(e["row"], e["column"]): e["message"] for e in batch.report["errors"]}
        assert messages[(4, "capacity")] == record_columns.CAPACITY_MENTEE
        assert "Europe/Berlin" in messages[(2, "timezone")]
        assert "xx" in messages[(2, "languages")]
        assert not User.objects.filter(email__in=["c@example.org", "d@example.org"]).exists()

    def test_confirm_refuses_and_writes_nothing(self, program, admin):
        batch = preview(program, admin, csv_bytes(ANA, BO, "bad,X,mentee"))
        with pytest.raises(ApplicationError) as error:
            services.import_confirm(user=admin, program_id=program.pk, batch_id=batch.pk)
        assert error.value.status == 409
        assert not User.objects.filter(email__endswith="example.org").exclude(pk=admin.pk).exists()
        assert Enrolment.objects.filter(program=program).count() == 1  # the admin

    def test_duplicate_email_and_role(self, program, admin):
        batch = preview(program, admin, csv_bytes(BO, BO.replace("Bo Chen", "Bo C")))
        assert batch.report["errors"] == [
            {
                "row": 3,
                "column": "email",
                "header": "email",
                "message": reading.DUPLICATE_ROW.format(
                    other=2, email="bo@example.org", role="mentor"
                ),
            }
        ]

    def test_id_taken_by_someone_else(self, program, admin):
        import_and_join(program, admin, csv_bytes(BO))
        other = BO.replace("bo@example.org", "cy@example.org")
        batch = preview(program, admin, csv_bytes(other))
        assert [(e["row"], e["column"]) for e in batch.report["errors"]] == [(2, "id")]


LONG_EMAIL = "a" * 64 + "@" + "b" * 60 + "." + "c" * 30 + ".org"  # valid, 160 characters


class TestValuesLongerThanTheirColumns:
    """Issue 8 review: names may be 300 characters but first and last name are varchar(150),
    and the email is the username (varchar(150)): PostgreSQL refused the write (the task
    failed with no row error) and SQLite kept them whole or cut."""

    def test_are_row_errors_naming_the_column(self, program, admin):
        header = "email,name,role,manager"
        rows = [
            f"ana@example.org,{'A' * 151} Silva,mentee,",
            f"bo@example.org,Bo {'C' * 151},mentee,",
            f"{LONG_EMAIL},Cy,mentee,",
            f"di@example.org,Di,mentee,{'m' * 64}@{'d' * 63}.{'e' * 63}.{'f' * 63}.{'g' * 50}.org",
        ]
        batch = preview(program, admin, csv_bytes(*rows, header=header))
        assert batch.status == ImportStatus.INVALID
        found = {(e["row"], e["column"], e["message"]) for e in batch.report["errors"]}
        assert {
            (2, "name", reading.NAME_PART_TOO_LONG.format(limit=150, part="first", length=151)),
            (3, "name", reading.NAME_PART_TOO_LONG.format(limit=150, part="last", length=151)),
            (4, "email", reading.EMAIL_TOO_LONG.format(limit=150, length=160)),
            (5, "manager", reading.MANAGER_TOO_LONG.format(limit=254, length=311)),
        } <= found
        assert {(row, column) for row, column, _ in found} == {
            (2, "name"),
            (3, "name"),
            (4, "email"),
            (5, "manager"),
        }
        assert list(User.objects.all()) == [admin]  # no one new

    def test_the_longest_names_that_fit_are_stored_whole(self, program, admin):
        first, last = "F" * 150, "L" * 139 + " " + "M" * 9  # 300 characters in all
        content = csv_bytes(f"ana@example.org,{first} {last},mentee", header="email,name,role")
        batch = confirm(program, admin, preview(program, admin, content))
        assert batch.status == ImportStatus.APPLIED, batch.report
        ana = User.objects.get(email="ana@example.org")
        assert (ana.first_name, ana.last_name) == (first, last)


class TestWriting:
    def test_new_people_are_invited_then_join_when_they_accept(self, program, admin, mailoutbox):
        batch = preview(program, admin, csv_bytes(ANA, BO))
        assert batch.report["summary"] == {
            "read": 2,
            "rows": 2,
            "good": 2,
            "with_problems": 0,
            "skipped_blank": 0,
            "new": 0,
            "updated": 0,
            "unchanged": 0,
            "invited": 2,
            "updated_people": 0,
            "unchanged_people": 0,
            "new_enrolments": 0,
            "updated_enrolments": 0,
            "changes": 2,
        }
        assert not User.objects.filter(email="ana@example.org").exists()  # dry run
        batch = confirm(program, admin, batch)
        assert batch.status == ImportStatus.APPLIED
        ana = User.objects.get(email="ana@example.org")
        assert not ana.has_usable_password()
        assert (ana.first_name, ana.last_name) == ("Ana", "Silva")
        profile = Profile.objects.get(user=ana)
        assert profile.timezone == "America/Sao_Paulo" and profile.languages == ["en", "pt"]
        assert sorted(s.name for s in profile.skills_wanted.all()) == ["Python", "SQL"]
        assert [str(w) for w in profile.windows.all()] == [
            "Mon 09:00-12:00",
            "Fri 22:00-24:00",
            "Sat 00:00-01:00",
        ]
        assert profile.availability_utc  # derived for matching
        assert profile.manager.email == "bo@example.org"  # made by the same import
        assert profile.manager_email == "bo@example.org"  # as the file says, shown on the profile
        assert not Identity.objects.filter(user=ana).exists()  # identity is never imported
        assert Enrolment.objects.filter(program=program).count() == 1  # only the admin
        assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "bo@example.org"]
        body = next(m.body for m in mailoutbox if m.to == ["ana@example.org"])
        assert "/password-reset/" in body and "/programs/invited/" in body

        accept("bo@example.org")
        bo_enrolment = Enrolment.objects.get(person__email="bo@example.org")
        assert (bo_enrolment.role, bo_enrolment.status, bo_enrolment.capacity) == (
            "mentor",
            "active",
            3,
        )
        assert bo_enrolment.external_id == "m1"

    def test_reimport_updates_members_by_email_and_keeps_unset_fields(self, program, admin):
        import_and_join(program, admin, csv_bytes(ANA, BO))
        changed = "ana@example.org,,mentee,Learn SQL and dbt,,,,,,,,,,,,,,,,"
        batch = preview(program, admin, csv_bytes(changed))
        assert batch.report["summary"]["updated_people"] == 1
        assert batch.report["summary"]["invited"] == 0
        assert batch.report["details"][0]["fields"] == ["goals"]
        confirm(program, admin, batch)
        assert User.objects.filter(email="ana@example.org").count() == 1
        profile = Profile.objects.get(user__email="ana@example.org")
        assert profile.goals == "Learn SQL and dbt"
        assert profile.timezone == "America/Sao_Paulo"  # empty cell: unchanged
        assert profile.skills_wanted.count() == 2

    def test_manager_the_member_typed_is_the_one_compared_and_replaced(self, program, admin):
        """Regression: the import compared and wrote only the linked account, so a manager
        typed on the profile was shown while matching used the import's."""
        import_and_join(program, admin, csv_bytes(ANA, BO))
        profile = Profile.objects.get(user__email="ana@example.org")
        profile.manager_email, profile.manager = "bo@example.org", None  # as typed by Ana
        profile.save()
        row = ANA.replace("e1", "")
        assert "manager" not in preview(program, admin, csv_bytes(row)).report["details"][0].get(
            "fields", []
        )
        profile.manager_email = "typed@example.org"
        profile.save()
        batch = preview(program, admin, csv_bytes(row))
        assert batch.report["details"][0]["fields"] == ["manager"]
        confirm(program, admin, batch)
        profile.refresh_from_db()
        assert (profile.manager_email, profile.manager.email) == ("bo@example.org",) * 2

    def test_all_or_nothing(self, program, admin):
        import_and_join(program, admin, csv_bytes(BO))
        batch = preview(program, admin, csv_bytes(ANA, BO.replace("Bo Chen", "Bo Renamed")))
        with mock.patch.object(
            writing, "invitations_write_for_import", side_effect=RuntimeError("disk full")
        ):
            confirm(program, admin, batch)  # the task fails (logged by the worker)
        assert not User.objects.filter(email="ana@example.org").exists()
        assert User.objects.get(email="bo@example.org").first_name == "Bo"
        batch.refresh_from_db()
        assert batch.status == ImportStatus.PREVIEWED
        assert batch.report["failure"] == execution.IMPORT_FAILED

    def test_confirm_twice_is_refused(self, program, admin):
        batch = confirm(program, admin, preview(program, admin, csv_bytes(BO)))
        with pytest.raises(ApplicationError) as error:
            services.import_confirm(user=admin, program_id=program.pk, batch_id=batch.pk)
        assert error.value.status == 409

    def test_xlsx(self, program, admin):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["Email", "Role", "Seniority", "Capacity", "Timezone"])
        sheet.append(["ed@example.org", "mentor", 6, 2.0, "Asia/Kolkata"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        batch = preview(program, admin, buffer.getvalue(), "people.xlsx")
        assert batch.report["ok"], batch.report["errors"]
        import_and_join(program, admin, buffer.getvalue(), "people.xlsx")
        enrolment = Enrolment.objects.get(person__email="ed@example.org")
        assert enrolment.capacity == 2
        assert enrolment.person.profile.seniority == 6

    def test_mentor_without_capacity_gets_program_default(self, program, admin):
        program.default_capacity = 4
        program.save()
        import_and_join(program, admin, b"email,role\nfi@example.org,mentor\n")
        assert Enrolment.objects.get(person__email="fi@example.org").capacity == 4

    def test_member_gets_a_new_role_directly(self, program, admin):
        member = member_of(program, person=UserFactory(email="gil@example.org"))
        batch = preview(program, admin, b"email,role,capacity\ngil@example.org,mentor,2\n")
        assert batch.report["summary"]["new_enrolments"] == 1
        assert batch.report["summary"]["invited"] == 0
        confirm(program, admin, batch)
        assert Enrolment.objects.get(person=member, role="mentor").status == "active"


class TestPermissions:
    def test_participant_cannot_preview_or_confirm(self, program, admin):
        participant = member_of(program)
        with pytest.raises(NotFound):
            preview(program, participant, csv_bytes(BO))
        batch = preview(program, admin, csv_bytes(BO))
        with pytest.raises(NotFound):
            services.import_confirm(user=participant, program_id=program.pk, batch_id=batch.pk)

    def test_batch_of_another_program(self, program, admin):
        other = ProgramFactory()
        batch = preview(other, admin_of(other), csv_bytes(BO))
        with pytest.raises(NotFound):
            services.import_confirm(user=admin, program_id=program.pk, batch_id=batch.pk)

    def test_only_the_invited_address_can_accept(self, program, admin):
        confirm(program, admin, preview(program, admin, csv_bytes(BO)))
        invitation = ParticipantInvitation.objects.get()
        with pytest.raises(NotFound):
            services.participant_invitation_answer(
                user=UserFactory(), token=invitation.token, accept=True
            )
        assert not Enrolment.objects.filter(role="mentor").exists()


def test_plan_queries_do_not_grow_with_rows(program, admin, django_assert_max_num_queries):
    def rows(n):
        return [
            f"p{i}@example.org,P {i},mentee,,,SQL,3,en,UTC,Mon 09:00-10:00,,,,,,,,,,"
            for i in range(n)
        ]

    table = reading.read_table(filename="a.csv", content=csv_bytes(*rows(40)))
    parsed, _ = reading.check_rows(table)
    with django_assert_max_num_queries(6):
        planning.import_plan(program=program, rows=parsed)


def test_working_style_column(program, admin):
    content = (
        b"email,role,working_style\ngi@example.org,mentee,Structure=4; pace=2\n"
        b"hu@example.org,mentee,speed=9\n"
    )
    batch = preview(program, admin, content)
    assert [(e["row"], e["column"]) for e in batch.report["errors"]] == [(3, "working_style")]
    import_and_join(program, admin, content.split(b"\nhu")[0])
    assert Profile.objects.get(user__email="gi@example.org").working_style == {
        "structure": 4,
        "pace": 2,
    }


def test_concurrent_change_is_a_conflict_not_a_crash(program, admin):
    from django.db import IntegrityError

    batch = preview(program, admin, csv_bytes(BO))
    with mock.patch.object(execution, "import_apply", side_effect=IntegrityError("dup")):
        batch = confirm(program, admin, batch)
    assert batch.report["failure"] == execution.IMPORT_RACE
    assert batch.status == ImportStatus.PREVIEWED


def test_the_preview_says_what_an_invite_row_writes(program, admin):
    """Journeys review: the preview's "Columns" cell was empty for every invite row. It names
    what the invitation keeps, and what a new account would take, in words that are the same
    whether or not the address already has an account (the preview never tells which)."""
    UserFactory(email="bo@example.org")  # has an account; Ana has none
    details = preview(program, admin, csv_bytes(ANA, BO)).report["details"]
    ana, bo = sorted(details, key=lambda item: item["email"])
    assert ana["fields"] == ["role", "id"]
    assert bo["fields"] == ["role", "capacity", "id"]
    assert ana["note"].startswith(planning.INVITATION_KEEPS + "; name, goals, ")
    assert "exclude" not in ana["note"] and "identity" not in ana["note"]
    assert bo["note"].startswith(planning.INVITATION_KEEPS + "; name, expertise, ")
    bare = preview(program, admin, csv_bytes("cy@example.org,mentee", header="email,role"))
    assert bare.report["details"][0] == {
        "email": "cy@example.org",
        "action": "invite as mentee",
        "fields": ["role"],
        "note": planning.INVITATION_KEEPS,
    }
