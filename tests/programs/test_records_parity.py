"""Issue 9: the same participant file gives the import and ``tandem match`` the same records and
the same errors, row and column (both read it through ``tandem.matching.records``); the profile
edit (service and ``PATCH /api/people/me``) refuses the same values with the same messages."""

import csv
import io

import pytest
from openpyxl import Workbook

from tandem.core.exceptions import ApplicationError
from tandem.matching.io import InputError, read_participants
from tandem.matching.records.availability import SEVERAL_WINDOWS, format_windows_joined
from tandem.matching.records.reading import UNKNOWN_COLUMN
from tandem.people.services import profile_update
from tandem.programs.imports import reading
from tandem.programs.models import ImportStatus
from tests.people.factories import ProfileFactory
from tests.programs.test_import import preview

pytestmark = pytest.mark.django_db

HEADER = [
    "id",
    "email",
    "name",
    "role",
    "goals",
    "expertise",
    "skills",
    "seniority",
    "languages",
    "timezone",
    "availability",
    "format",
    "cadence",
    "working_style",
    "capacity",
    "exclude",
    "department",
    "city",
    "manager",
    "prefer",
]
GOOD = [
    ["e1", "ana@example.org", "Ana Silva", "mentee", "Learn SQL", "", "SQL;python;Python", "2",
     "EN;pt", "America/Sao_Paulo", "Mon-Tue 9-10; Fri 22:00-01:00", "Virtual", "weekly",
     "structure=4;Pace=2", "", "m1", "Finance", "  São   Paulo ", "BO@example.org", "m1"],
    ["m1", "bo@example.org", "Bo Chen", "Mentor", "", "Data modelling", "SQL;dbt", "7.0", "en",
     "Europe/Berlin", "Tue 10:00-12:00", "in-person", "biweekly", "", "3", "", "Data", "Berlin",
     "", ""],
]  # fmt: skip
BAD = [
    # each bad row breaks the rule where the two entry points used to disagree, or any rule
    ["e2", "cy@example.org", "Cy", "mentee", "", "", "", "7.5", "zz", "Mars/Base", "Mon 9:00",
     "hologram", "often", "mood=3", "2", "", "", "", "", ""],
    ["m2", "di@example.org", "Di", "mentor", "", "", "!!!", "", "", "", "", "", "", "pace=9", "0",
     "", "", "", "", ""],
    ["e3", "eve@example.org", "Eve", "boss", "", "", "", "11", "", "", "", "", "", "", "", "", "",
     "", "", ""],
]  # fmt: skip


def as_csv(rows, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([HEADER, *rows])
    return buffer.getvalue().encode()


def as_semicolon_csv(rows) -> bytes:
    """As a spreadsheet saves CSV in many locales: the one delimiter rule must read it in both."""
    return as_csv(rows, delimiter=";")


def as_xlsx(rows) -> bytes:
    book = Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMATS = {"people.csv": as_csv, "people-semicolons.csv": as_semicolon_csv, "people.xlsx": as_xlsx}


def match_side(tmp_path, filename, rows):
    path = tmp_path / filename
    path.write_bytes(FORMATS[filename](rows))
    return read_participants(path)


@pytest.mark.parametrize("filename", FORMATS)
def test_the_import_and_tandem_match_report_the_same_errors(program, admin, tmp_path, filename):
    batch = preview(program, admin, FORMATS[filename]([*GOOD, *BAD]), filename)
    # The good rows may still be imported; the bad ones are reported (and left out).
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.report["summary"]["with_problems"] == len(BAD)
    imported = {(e["row"], e["column"], e["message"]) for e in batch.report["errors"]}
    with pytest.raises(InputError) as caught:
        match_side(tmp_path, filename, [*GOOD, *BAD])
    matched = {(e.row, e.column, e.message) for e in caught.value.errors}
    assert imported == matched
    assert {(row, column) for row, column, _ in matched} == {
        (4, "seniority"),
        (4, "languages"),
        (4, "timezone"),
        (4, "availability"),
        (4, "format"),
        (4, "cadence"),
        (4, "working_style"),
        (4, "capacity"),
        (5, "skills"),
        (5, "working_style"),
        (5, "capacity"),
        (6, "role"),
        (6, "seniority"),
    }


@pytest.mark.parametrize("filename", FORMATS)
def test_the_import_and_tandem_match_read_the_same_records(tmp_path, filename):
    table = reading.read_table(filename=filename, content=FORMATS[filename](GOOD))
    rows, errors = reading.check_rows(table)
    assert errors == []
    people = match_side(tmp_path, filename, GOOD)
    matched = [*people.mentees, *people.mentors]
    imported = [
        {
            "id": row.external_id,
            "email": row.email,
            "name": row.name,
            "skills": row.skills_wanted if row.role == "mentee" else row.skills_offered,
            "seniority": row.seniority,
            "languages": row.languages,
            "timezone": row.timezone,
            "availability": format_windows_joined(row.availability or []),
            "format": row.meeting_format,
            "cadence": row.cadence,
            "working_style": row.working_style or {},
            "capacity": row.capacity,
            "exclude": row.exclude or [],
            "text": row.goals if row.role == "mentee" else row.expertise,
            "department": row.department or "",
            "city": row.city or "",
            "manager": row.manager or "",
        }
        for row in rows
    ]
    assert imported == [
        {
            "id": person.id,
            "email": person.email,
            "name": person.name,
            "skills": list(person.skills),
            "seniority": person.seniority,
            "languages": list(person.languages),
            "timezone": person.timezone,
            "availability": list(person.availability),
            "format": person.format,
            "cadence": person.cadence,
            "working_style": person.working_style,
            "capacity": getattr(person, "capacity", None),
            "exclude": list(person.exclude),
            "text": person.text,
            "department": person.department,
            "city": person.city,
            "manager": person.manager,
        }
        for person in matched
    ]
    assert imported[0]["skills"] == ["SQL", "python"] and imported[1]["seniority"] == 7
    assert imported[0]["city"] == "São Paulo" and imported[0]["manager"] == "bo@example.org"
    # ``prefer`` is a wish for one match run: tandem match reads it, the import says it does not
    assert people.mentees[0].prefer == ("m1",)
    assert UNKNOWN_COLUMN.format(column="prefer") in table.warnings


# The bad cells of BAD as a profile edit sends them: (profile field, value, file row, column).
PROFILE_EDITS = [
    ("seniority", 7.5, 4, "seniority"),
    ("languages", ["zz"], 4, "languages"),
    ("timezone", "Mars/Base", 4, "timezone"),
    ("availability", ["Mon 9:00"], 4, "availability"),
    ("meeting_format", "hologram", 4, "format"),
    ("cadence", "often", 4, "cadence"),
    ("working_style", {"mood": 3}, 4, "working_style"),
    ("working_style", {"pace": 9}, 5, "working_style"),
    ("skills_wanted", ["!!!"], 5, "skills"),
]


@pytest.fixture(scope="module")
def file_messages(tmp_path_factory):
    """What tandem match (and so the import, see above) says about each bad cell."""
    path = tmp_path_factory.mktemp("parity") / "people.csv"
    path.write_bytes(as_csv([*GOOD, *BAD]))
    with pytest.raises(InputError) as caught:
        read_participants(path)
    return {(e.row, e.column): e.message for e in caught.value.errors}


def in_a_cell(field: str, message: str) -> str:
    """A profile message as a file cell gives it: one cell may hold several windows, so the
    file also says how to separate them."""
    return f"{message} {SEVERAL_WINDOWS}" if field == "availability" else message


@pytest.mark.parametrize(("field", "value", "row", "column"), PROFILE_EDITS)
def test_the_profile_service_refuses_what_the_files_refuse_with_their_words(
    file_messages, field, value, row, column
):
    profile = ProfileFactory()
    with pytest.raises(ApplicationError) as caught:
        profile_update(profile=profile, actor=profile.user, **{field: value})
    [(name, message)] = caught.value.fields.items()
    assert name.partition(".")[0] == field
    assert in_a_cell(field, message) == file_messages[row, column]


# The API's schema types seniority as a whole number and lists the choices of meeting_format and
# cadence, so 7.5, "hologram" and "often" are refused before the record's rule runs (422, naming
# the field, as every choice of the API: tests/core/test_api_choices.py); every other value
# reaches the record.
BY_SCHEMA = {"seniority", "meeting_format", "cadence"}
API_EDITS = [edit for edit in PROFILE_EDITS if edit[0] not in BY_SCHEMA]


@pytest.mark.parametrize(
    ("field", "value"), [(field, value) for field, value, *_ in PROFILE_EDITS if field in BY_SCHEMA]
)
def test_the_profile_api_refuses_by_its_schema(client, field, value):
    profile = ProfileFactory(seniority=3, cadence="monthly", meeting_format="any")
    client.force_login(profile.user)
    before = (profile.seniority, profile.cadence, profile.meeting_format)
    response = client.patch("/api/people/me", data={field: value}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert list(response.json()["fields"]) == [field]
    profile.refresh_from_db()
    assert (profile.seniority, profile.cadence, profile.meeting_format) == before


@pytest.mark.parametrize(("field", "value", "row", "column"), API_EDITS)
def test_the_profile_api_refuses_what_the_files_refuse_with_their_words(
    client, file_messages, field, value, row, column
):
    profile = ProfileFactory()
    client.force_login(profile.user)
    response = client.patch("/api/people/me", data={field: value}, content_type="application/json")
    assert response.status_code == 400, response.content
    [(name, message)] = response.json()["fields"].items()
    assert name.partition(".")[0] == field
    assert in_a_cell(field, message) == file_messages[row, column]
