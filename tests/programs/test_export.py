import csv
import io

import pytest
from openpyxl import load_workbook

from tandem.people.models import Identity, Profile, Skill
from tandem.people.selectors import skill_labels
from tandem.programs.exports import EXPORT_COLUMNS, export_csv_lines, export_xlsx
from tests.programs.factories import EnrolmentFactory
from tests.programs.test_import import ANA, BO, confirm, csv_bytes, import_and_join, preview

pytestmark = pytest.mark.django_db

CY = (
    "cy@example.org,Cy Li Wen,mentor,,Public speaking and storytelling,"
    "Storytelling;Public speaking,8,zh;en,Asia/Singapore,Mon-Fri 09:00-10:00,in_person,"
    "Singapore,monthly,Marketing,1,parent;immigrant,no,e1,,c1"
)


@pytest.fixture
def imported(program, admin):
    """Three participants: invited by a first import, joined, then completed by a second
    (exclusions are written for members only)."""
    content = csv_bytes(ANA, BO, CY.replace("Mon-Fri", "Mon"))
    import_and_join(program, admin, content)
    batch = confirm(program, admin, preview(program, admin, content))
    assert batch.status == "applied", batch.report
    return program


def export_csv(*, program):
    """The file the export view streams, as one download."""
    return "".join(export_csv_lines(program=program)).encode("utf-8")


def test_csv_round_trip_changes_nothing(imported, admin):
    Profile.objects.filter(user__email="bo@example.org").update(
        working_style={"pace": 2, "focus": 5}
    )
    content = export_csv(program=imported)
    batch = preview(imported, admin, content)
    assert batch.report["ok"], batch.report["errors"]
    assert batch.report["summary"]["changes"] == 0
    assert batch.report["summary"]["unchanged_people"] == 3


def test_xlsx_round_trip_changes_nothing(imported, admin):
    batch = preview(imported, admin, export_xlsx(program=imported), "people.xlsx")
    assert batch.report["ok"], batch.report["errors"]
    assert batch.report["summary"]["changes"] == 0


def test_identity_is_never_imported_nor_exported(imported):
    """Identity is the person's own (privacy): the file's identity cells were not stored, and
    the export has no identity columns at all."""
    assert Identity.objects.count() == 0
    rows = list(csv.DictReader(io.StringIO(export_csv(program=imported).decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == ["ana@example.org", "bo@example.org", "cy@example.org"]
    assert all("identity" not in row and "prefer_shared_identity" not in row for row in rows)
    assert rows[0]["exclude"] == "bo@example.org" and rows[0]["manager"] == "bo@example.org"
    assert rows[2]["exclude"] == "ana@example.org"


def test_columns_and_admins_left_out(imported):
    workbook = load_workbook(io.BytesIO(export_xlsx(program=imported)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    assert {row[3] for row in rows[1:]} == {"mentee", "mentor"}


def test_removed_participants_are_not_exported(imported):
    EnrolmentFactory(program=imported, status="removed")
    assert export_csv(program=imported).count(b"\n") == 4


def test_export_queries_are_bounded(imported, django_assert_max_num_queries):
    for _ in range(10):
        EnrolmentFactory(program=imported)
    with django_assert_max_num_queries(8):
        export_csv(program=imported)


FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_formulas_are_exported_as_text_and_round_trip(imported, admin):
    Profile.objects.filter(user__email="ana@example.org").update(goals=FORMULA)
    Profile.objects.filter(user__email="bo@example.org").update(goals="'-already quoted")
    text = export_csv(program=imported).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["goals"] == "'" + FORMULA  # a spreadsheet shows it, never runs it
    assert rows[1]["goals"] == "''-already quoted"
    sheet = load_workbook(io.BytesIO(export_xlsx(program=imported))).worksheets[0]
    goals = sheet.cell(row=2, column=EXPORT_COLUMNS.index("goals") + 1)
    assert goals.value == FORMULA and goals.data_type == "s"
    for content, name in (
        (export_csv(program=imported), "people.csv"),
        (export_xlsx(program=imported), "people.xlsx"),
    ):
        batch = preview(imported, admin, content, name)
        assert batch.report["ok"], batch.report["errors"]
        assert batch.report["summary"]["changes"] == 0


def test_a_department_starting_with_a_tab_is_escaped_in_csv(imported):
    """I/O review: a cell starting with a tab then ``=`` (OWASP's list) went out as it was."""
    Profile.objects.filter(user__email="ana@example.org").update(department="\t=1+1")
    rows = list(csv.DictReader(io.StringIO(export_csv(program=imported).decode("utf-8-sig"))))
    assert rows[0]["department"] == "'\t=1+1"


def _skills_of(email: str) -> dict[str, list[str]]:
    profile = Profile.objects.get(user__email=email)
    return {side: skill_labels(profile, side) for side in ("skills_offered", "skills_wanted")}


def test_each_persons_spelling_survives_the_import_and_the_round_trip(program, admin):
    """One tag in two spellings in one file (Ana's first, so the shared row is hers): each
    person reads their own, in the export too, and importing the export changes nothing."""
    ana = ANA.replace("SQL;Python", "Zorblaxitis recovery;Python")
    bo = BO.replace("SQL;dbt", "zorblaxitis RECOVERY;dbt")
    import_and_join(program, admin, csv_bytes(ana, bo))
    batch = confirm(program, admin, preview(program, admin, csv_bytes(ana, bo)))
    assert batch.status == "applied", batch.report
    assert Skill.objects.get(slug="zorblaxitis-recovery").name == "Zorblaxitis recovery"
    assert _skills_of("ana@example.org")["skills_wanted"] == ["Python", "Zorblaxitis recovery"]
    assert _skills_of("bo@example.org")["skills_offered"] == ["dbt", "zorblaxitis RECOVERY"]

    rows = list(csv.DictReader(io.StringIO(export_csv(program=program).decode("utf-8-sig"))))
    assert rows[0]["skills_wanted"] == "Python; Zorblaxitis recovery"
    assert rows[1]["skills_offered"] == "dbt; zorblaxitis RECOVERY"
    for content, name in (
        (export_csv(program=program), "people.csv"),
        (export_xlsx(program=program), "people.xlsx"),
    ):
        batch = preview(program, admin, content, name)
        assert batch.report["ok"], batch.report["errors"]
        assert batch.report["summary"]["changes"] == 0

    # A file spelling a tag anew changes that person's spelling only.
    batch = confirm(
        program, admin, preview(program, admin, csv_bytes(ana, bo.replace("RECOVERY", "Recovery")))
    )
    assert batch.status == "applied", batch.report
    assert _skills_of("bo@example.org")["skills_offered"] == ["dbt", "zorblaxitis Recovery"]
    assert _skills_of("ana@example.org")["skills_wanted"] == ["Python", "Zorblaxitis recovery"]
