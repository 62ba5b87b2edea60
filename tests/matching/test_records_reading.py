"""Reading a participant file into records: errors as plain data with row and column."""

import io
from dataclasses import fields

import openpyxl
import pytest

from tandem.matching import profiles
from tandem.matching.records import cells, columns, reading
from tandem.matching.records.availability import Window
from tandem.matching.records.reading import FileError, RowError, parse_records, read_records


def csv_file(text: str) -> dict:
    return {"filename": "people.csv", "content": text.encode()}


def workbook(*rows) -> dict:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return {"filename": "people.xlsx", "content": buffer.getvalue()}


class TestRecords:
    def test_cells_become_typed_values_and_empty_cells_are_absent(self):
        found = read_records(
            **csv_file(
                "id,Role,seniority,languages,availability,capacity,goals\n"
                "a,mentee,3,EN;de,Mon-Tue 9-10,,learn SQL\n"
            )
        )
        [record] = found.records
        assert (record.row, record.role) == (2, "mentee")
        assert record.values == {
            "id": "a",
            "role": "mentee",
            "seniority": 3,
            "languages": ["en", "de"],
            "availability": [Window(0, 540, 600), Window(1, 540, 600)],
            "goals": "learn SQL",
        }
        assert found.errors == [] and found.columns[:3] == ["id", "role", "seniority"]

    def test_every_bad_cell_is_an_error_with_its_row_and_column(self):
        found = read_records(
            **csv_file(
                "email,role,seniority,languages,timezone,working_style,capacity\n"
                "a@x.org,mentor,7.5,zz,Mars/Base,mood=3,0\n"
                "b@x.org,boss,,,,,\n"
                "c@x.org,mentee,,,,,2\n"
            )
        )
        assert [(e.row, e.column) for e in found.errors] == [
            (2, "seniority"),
            (2, "languages"),
            (2, "timezone"),
            (2, "working_style"),
            (2, "capacity"),
            (3, "role"),
            (4, "capacity"),
        ]
        assert found.errors[-1].message == columns.CAPACITY_MENTEE
        assert found.errors[0].as_dict() == {
            "row": 2,
            "column": "seniority",
            "message": cells.SENIORITY_INVALID.format(value="7.5"),
        }
        assert [r.role for r in found.records] == ["mentor", None, "mentee"]
        assert "seniority" not in found.records[0].values

    def test_the_skills_column_goes_to_the_side_of_the_row(self):
        found = read_records(
            **csv_file("id,role,skills,skills_wanted\nm,mentor,SQL,\ne,mentee,SQL,Python\n")
        )
        assert found.records[0].values["skills_offered"] == ["SQL"]
        assert found.records[1].values["skills_wanted"] == ["Python"]
        assert "skills" not in found.records[1].values

    def test_a_file_of_one_side_needs_no_role_column(self):
        found = read_records(**csv_file("id,capacity\nm,2\n"), role="mentor")
        assert found.records[0].role == "mentor" and found.records[0].values["capacity"] == 2

    def test_ignored_columns_are_not_read(self):
        found = read_records(**csv_file("id,identity\na,\x00bad\n"), ignore=("identity",))
        assert found.errors == [] and found.records[0].values == {"id": "a"}
        assert found.columns == ["id"]

    def test_formula_escapes_of_an_export_are_undone_in_csv_only(self):
        found = read_records(**csv_file("id,goals\na,'=SUM(1)\n"))
        assert found.records[0].values["goals"] == "=SUM(1)"
        assert reading.unescape_cell(reading.escape_cell("'=x")) == "'=x"

    @pytest.mark.parametrize("text", ["\t=1+1", "\r=1+1", "'\t@x"])
    def test_a_leading_tab_or_carriage_return_is_escaped_too(self, text):
        """I/O review: OWASP's formula starts include the tab and the carriage return."""
        assert reading.escape_cell(text) == "'" + text
        assert reading.unescape_cell(reading.escape_cell(text)) == text


class TestHeader:
    def test_names_aliases_case_spaces_and_hyphens(self):
        found = read_records(
            **csv_file("ID,Time zone,Meeting-Format,manager_email\na,UTC,any,B@x\n")
        )
        assert found.columns == ["id", "timezone", "format", "manager"]
        assert found.records[0].values == {
            "id": "a",
            "timezone": "UTC",
            "format": "any",
            "manager": "b@x",
        }

    def test_header_problems_are_errors_on_row_1_and_no_records(self):
        found = read_records(**csv_file("email,Email,name\na,b,c\n"), required=("email", "role"))
        assert found.errors == [
            RowError(1, "email", reading.DUPLICATE_COLUMN.format(column="email")),
            RowError(1, "role", reading.MISSING_COLUMN.format(column="role")),
        ]
        assert found.records == []

    def test_unknown_columns_are_a_warning(self):
        found = read_records(**csv_file("id,shoe_size\na,42\n"))
        assert found.warnings == [reading.UNKNOWN_COLUMN.format(column="shoe_size")]


class TestFiles:
    @pytest.mark.parametrize(
        "content, message",
        [
            (b"", reading.FILE_EMPTY),
            (b"  \n", reading.FILE_EMPTY),
            (b"id,goals\n", reading.NO_ROWS),
            ("id,goals\na,Führung\n".encode("latin-1"), reading.BAD_ENCODING),
            ("id,goals\na,Führung\n".encode("utf-16"), reading.BAD_ENCODING_UTF16),
        ],
    )
    def test_unreadable_files(self, content, message):
        with pytest.raises(FileError) as caught:
            read_records(filename="people.csv", content=content)
        assert caught.value.message == message

    def test_not_a_workbook(self):
        with pytest.raises(FileError) as caught:
            read_records(filename="people.xlsx", content=b"PK\x03\x04garbage")
        assert caught.value.message == reading.NOT_A_WORKBOOK

    def test_a_workbook_reads_like_its_csv(self):
        """Typed cells (7.0, True) read as a person typed them; 7.5 is refused like in CSV."""
        found = read_records(
            **workbook(
                ["id", "seniority", "capacity", "prefer_shared_identity"],
                ["a", 7.0, 2, True],
                ["b", 7.5, 1, False],
            ),
            role="mentor",
        )
        assert found.records[0].values == {
            "id": "a",
            "seniority": 7,
            "capacity": 2,
            "prefer_shared_identity": True,
        }
        assert [(e.row, e.column) for e in found.errors] == [(3, "seniority")]


def test_parse_records_reads_rows_from_anywhere():
    found = parse_records([(1, ["email", "role"]), (5, ["A@X.org", "mentee"])])
    assert found.records[0].row == 5 and found.records[0].values["email"] == "a@x.org"


@pytest.mark.parametrize(
    ("side", "kind"), [(columns.MENTEE_COLUMNS, "Mentee"), (columns.MENTOR_COLUMNS, "Mentor")]
)
def test_a_sides_columns_are_the_fields_of_its_solver_type(side, kind):
    assert set(side) == {f.name for f in fields(getattr(profiles, kind))}
