import gc

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching import io as mio
from tandem.matching import sheets
from tandem.matching.io import InputError, InputProblem
from tandem.matching.pipeline import match_score_table
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records import cells, reading
from tandem.matching.records.timezones import TIMEZONE_INVALID
from tandem.matching.scoretable import (
    BAD_CAPACITY,
    BAD_SCORE,
    CAPACITY_CAP,
    SCORE_OUT_OF_RANGE,
    read_score_table,
)

MENTEES = "\n".join(
    [
        "id,name,goals,skills_wanted,seniority,languages,timezone,availability,format,city,"
        "cadence,department,identity,prefer_shared_identity,exclude,prefer",
        "a,Ann,learn SQL tuning,sql;python,2,en;de,Europe/Berlin,Mon 09:00-12:00;Wed 18:00-20:00,"
        "virtual,Berlin,biweekly,data,woman,true,m2,m1",
        "b,Bo,public speaking,,3,en,America/New_York,,any,,weekly,,,false,,",
        "",
    ]
)
MENTORS = """id,expertise,skills_offered,capacity,languages,timezone,working_style,manager
m1,databases,sql,2,en,Europe/London,structure=4;pace=2,
m2,speaking,,1,en,UTC,,a
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(call, *args):
    with pytest.raises(InputError) as caught:
        call(*args)
    return [(e.row, e.column, e.message) for e in caught.value.errors]


class TestReadValid:
    def test_mentees_parse_into_typed_records(self, tmp_path):
        result = mio.read_mentees(write(tmp_path, "mentees.csv", MENTEES))
        a = result.mentees[0]
        assert a.skills_wanted == ("sql", "python") and a.languages == ("en", "de")
        assert a.availability == ("Mon 09:00-12:00", "Wed 18:00-20:00")
        assert a.prefer_shared_identity and a.exclude == ("m2",) and a.prefer == ("m1",)
        assert a.seniority == 2.0 and result.mentees[1].format == "any"

    def test_mentors_and_optional_columns(self, tmp_path):
        result = mio.read_mentors(write(tmp_path, "mentors.csv", MENTORS))
        assert [m.capacity for m in result.mentors] == [2, 1]
        assert result.mentors[0].working_style == {"structure": 4, "pace": 2}
        assert result.mentors[1].manager == "a"

    def test_missing_optional_columns_warn_and_mean_no_preference(self, tmp_path):
        result = mio.read_mentees(write(tmp_path, "e.csv", "id,goals,shoe_size\na,SQL,42\n"))
        assert result.mentees == [Mentee(id="a", goals="SQL")]
        missing, unknown = result.warnings
        assert "no skills_wanted" not in missing and "skills_wanted" in missing
        assert "treated as no preference" in missing
        assert unknown.endswith("e.csv: Column 'shoe_size' is not used and will be ignored.")

    def test_bom_header_case_and_blank_lines(self, tmp_path):
        text = "\ufeffID , Goals\r\n\r\na,x\r\n"
        result = mio.read_mentees(write(tmp_path, "e.csv", text))
        assert result.mentees[0].id == "a"

    def test_xlsx(self, tmp_path):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["id", "capacity", "seniority", "languages"])
        sheet.append(["m1", 2, 7.0, "en"])
        book.save(tmp_path / "mentors.xlsx")
        mentor = mio.read_mentors(tmp_path / "mentors.xlsx").mentors[0]
        assert (mentor.capacity, mentor.seniority) == (2, 7.0)

    def test_one_file_with_role_column(self, tmp_path):
        text = "id,role,capacity,goals,expertise\na,mentee,,SQL,\nm,Mentor,3,,databases\n"
        result = mio.read_participants(write(tmp_path, "people.csv", text))
        assert [p.id for p in result.mentees] == ["a"]
        assert result.mentors == [Mentor(id="m", capacity=3, expertise="databases")]

    def test_both_files_warn_about_unknown_ids(self, tmp_path):
        result = mio.read_inputs(
            write(tmp_path, "e.csv", "id,exclude\na,ghost\n"),
            write(tmp_path, "r.csv", "id,capacity\nm,1\n"),
        )
        assert any("'ghost' is not a participant" in w for w in result.warnings)


class TestRoundTrip:
    def test_export_reads_back(self, tmp_path):
        people = mio.read_mentees(write(tmp_path, "e.csv", MENTEES)).mentees
        mio.write_participants_csv(tmp_path / "out.csv", mentees=people)
        assert mio.read_mentees(tmp_path / "out.csv").mentees == people

    def test_both_sides_read_back_from_one_file(self, tmp_path):
        mentees = [Mentee(id="a", goals="x, with a comma", identity=("q",))]
        mentors = [Mentor(id="m", capacity=2, working_style={"pace": 3}, seniority=7)]
        mio.write_participants_csv(tmp_path / "all.csv", mentees=mentees, mentors=mentors)
        back = mio.read_participants(tmp_path / "all.csv")
        assert (back.mentees, back.mentors) == (mentees, mentors)

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        st.lists(
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
            )
            .map(str.strip)
            .filter(bool),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    def test_free_text_round_trips(self, tmp_path, goals):
        people = [Mentee(id=f"p{k}", goals=g) for k, g in enumerate(goals)]
        mio.write_participants_csv(tmp_path / "r.csv", mentees=people)
        assert mio.read_mentees(tmp_path / "r.csv").mentees == people


class TestErrors:
    def test_missing_required_columns(self, tmp_path):
        assert errors_of(mio.read_mentees, write(tmp_path, "e.csv", "name\nx\n")) == [
            (1, "id", reading.MISSING_COLUMN.format(column="id"))
        ]
        assert errors_of(mio.read_mentors, write(tmp_path, "r.csv", "id\nm\n")) == [
            (1, "capacity", reading.MISSING_COLUMN.format(column="capacity"))
        ]

    def test_an_empty_capacity_on_a_mentor_row_is_an_error_told_once(self, tmp_path):
        # Live check: an empty cell took one mentee without a word, where the docs say
        # tandem match requires a capacity; a bad one is still told once.
        text = "id,role,capacity\na,mentee,\nm,mentor,\nn,mentor,-1\no,mentor,2\n"
        empty = cells.CAPACITY_INVALID.format(max=cells.CAPACITY_MAX, value="")
        bad = cells.CAPACITY_INVALID.format(max=cells.CAPACITY_MAX, value="-1")
        assert errors_of(mio.read_participants, write(tmp_path, "p.csv", text)) == [
            (3, "capacity", empty),
            (4, "capacity", bad),
        ]

    def test_an_id_too_long_is_not_also_told_empty(self, tmp_path):
        # Live check: a 300-character id read "Use at most 120 characters" and "id is empty".
        found = errors_of(mio.read_mentees, write(tmp_path, "e.csv", f"id\n{'x' * 300}\nb\n\n"))
        assert [(row, column) for row, column, _ in found] == [(2, "id")]
        assert "120" in found[0][2]

    def test_every_row_error_is_collected(self, tmp_path):
        text = (
            "id,capacity,timezone,availability,format\n"
            "m1,2,Europe/Berlin,Mon 09:00-10:00,virtual\n"
            "m1,1.5,Mars/Olympus,Mon 9:00,hologram\n"
            ",x,,,\n"
        )
        found = errors_of(mio.read_mentors, write(tmp_path, "r.csv", text))
        assert [(row, column) for row, column, _ in found] == [
            (3, "capacity"),
            (3, "timezone"),
            (3, "availability"),
            (3, "format"),
            (3, "id"),
            (4, "capacity"),
            (4, "id"),
        ]
        assert found[4][2] == "duplicate id 'm1' (first on row 2)"

    def test_a_repeated_bad_cell_is_reported_on_every_row(self, tmp_path):
        """The parsers are cached, so this checks that failures are not cached away."""
        text = "id,capacity,availability,working_style\n" + "".join(
            f"m{row},1,Mon 9:00,pace=9\n" for row in (1, 2)
        )
        found = errors_of(mio.read_mentors, write(tmp_path, "r.csv", text))
        assert [(row, column) for row, column, _ in found] == [
            (2, "availability"),
            (2, "working_style"),
            (3, "availability"),
            (3, "working_style"),
        ]

    def test_errors_of_both_files_come_together(self, tmp_path):
        with pytest.raises(InputError) as caught:
            mio.read_inputs(
                write(tmp_path, "e.csv", "id,timezone\na,Nowhere\n"),
                write(tmp_path, "r.csv", "id,capacity\nm,many\n"),
            )
        capacity = cells.CAPACITY_INVALID.format(max=cells.CAPACITY_MAX, value="many")
        assert [str(e) for e in caught.value.errors] == [
            f"{tmp_path}/e.csv:2:timezone: {TIMEZONE_INVALID.format(value='Nowhere')}",
            f"{tmp_path}/r.csv:2:capacity: {capacity}",
        ]

    @pytest.mark.parametrize(
        "text, message",
        [
            ("", reading.FILE_EMPTY),
            ("id,goals\n", reading.NO_ROWS),
            ("id,goals\n,\n", reading.NO_ROWS),
        ],
    )
    def test_empty_files(self, tmp_path, text, message):
        assert errors_of(mio.read_mentees, write(tmp_path, "e.csv", text)) == [
            (None, None, message)
        ]

    def test_bad_encoding(self, tmp_path):
        path = write(tmp_path, "e.csv", "id,goals\na,Führung\n", encoding="latin-1")
        assert errors_of(mio.read_mentees, path) == [(None, None, reading.BAD_ENCODING)]

    def test_broken_workbook(self, tmp_path):
        [(row, column, message)] = errors_of(
            mio.read_mentors, write(tmp_path, "m.xlsx", "id,capacity\nm,1\n")
        )
        assert message == reading.NOT_A_WORKBOOK

    def test_missing_file(self, tmp_path):
        [(row, column, message)] = errors_of(mio.read_mentees, tmp_path / "nope.csv")
        assert message.startswith("cannot open the file")

    def test_repeated_column_and_bad_role(self, tmp_path):
        assert errors_of(mio.read_mentees, write(tmp_path, "e.csv", "id,id\na,b\n")) == [
            (1, "id", reading.DUPLICATE_COLUMN.format(column="id"))
        ]
        found = errors_of(
            mio.read_participants, write(tmp_path, "p.csv", "id,role,capacity\na,boss,1\n")
        )
        assert found == [(2, "role", cells.ROLE_INVALID.format(value="boss"))]

    def test_row_error_text(self):
        assert str(InputProblem("f.csv", 3, "capacity", "bad")) == "f.csv:3:capacity: bad"
        assert str(InputProblem("f.csv", None, None, "bad")) == "f.csv: bad"


class TestScoreTable:
    def test_table_with_mentor_scores(self, tmp_path):
        scores = write(
            tmp_path, "s.csv", "mentee_id,mentor_id,score,mentor_score\na,m,0.5,0.9\nb,n,0.7,\n"
        )
        caps = write(tmp_path, "c.csv", "id,capacity,email\nm,1,x@y\nn,2,\n")
        table = read_score_table(scores, caps)
        assert table.mentee_ids == ["a", "b"] and table.mentor_ids == ["m", "n"]
        assert table.graph.mentor_pref.tolist() == [0.9, 0.7]
        assert table.graph.capacity.tolist() == [1, 2]

    def test_table_errors(self, tmp_path):
        scores = write(
            tmp_path, "s.csv", "mentee_id,mentor_id,score\na,m,high\na,zz,0.1\na,m,0.2\na,m,0.3\n"
        )
        caps = write(tmp_path, "c.csv", "id,capacity\nm,x\n")
        found = errors_of(read_score_table, scores, caps)
        assert [(r, c) for r, c, _ in found] == [
            (2, "capacity"),
            (2, "score"),
            (3, "mentor_id"),
            (5, "mentor_id"),
        ]
        assert found[-1][2] == "pair 'a', 'm' appears twice (first on row 4)"

    def test_table_score_beyond_the_solvers_range_is_a_row_error(self, tmp_path):
        scores = write(tmp_path, "s.csv", "mentee_id,mentor_id,score\na,m,0.5\nb,m,-1e300\n")
        caps = write(tmp_path, "c.csv", "id,capacity\nm,2\n")
        found = errors_of(read_score_table, scores, caps)
        assert found == [(3, "score", SCORE_OUT_OF_RANGE)]

    def test_table_numbers_with_underscores_are_row_errors(self, tmp_path):
        # Python's float() reads "1_000" as 1000; a score table took it (families check)
        scores = write(
            tmp_path, "s.csv", "mentee_id,mentor_id,score,mentor_score\na,m,1_000,\nb,m,0.5,1_0\n"
        )
        caps = write(tmp_path, "c.csv", "id,capacity\nm,1_0\n")
        found = errors_of(read_score_table, scores, caps)
        assert found == [
            (2, "capacity", BAD_CAPACITY.format(value="1_0")),
            (2, "score", BAD_SCORE.format(value="1_000")),
            (3, "mentor_score", BAD_SCORE.format(value="1_0")),
        ]

    def test_table_capacity_beyond_int64_reads_as_unlimited(self, tmp_path):
        # 1e20 passed the whole-number check and overflowed building the graph (a traceback;
        # families check)
        scores = write(tmp_path, "s.csv", "mentee_id,mentor_id,score\na,m,0.5\nb,m,0.4\n")
        caps = write(tmp_path, "c.csv", "id,capacity\nm,99999999999999999999\n")
        table = read_score_table(scores, caps)
        assert table.graph.capacity.tolist() == [CAPACITY_CAP]
        assert match_score_table(table).report["matched"] == 2

    def test_table_missing_columns(self, tmp_path):
        found = errors_of(
            read_score_table,
            write(tmp_path, "s.csv", "mentee_id\na\n"),
            write(tmp_path, "c.csv", "id\nm\n"),
        )
        assert [c for _, c, _ in found] == ["capacity", "mentor_id", "score"]


def test_tandem_match_reads_more_rows_than_an_upload_may_hold(tmp_path):
    """An upload stops at the reader's 50,000 rows; `tandem match` reads 100,000 people from
    the operator's own files (the issue's 100,000 x 20,000 run)."""
    rows = sheets.MAX_ROWS + 5
    text = "id,goals\n" + "".join(f"p{number},goals {number}\n" for number in range(rows))
    with pytest.raises(reading.FileError):
        reading.read_records(filename="big.csv", content=text.encode())
    found = mio.read_mentees(write(tmp_path, "big.csv", text))
    assert len(found.mentees) == rows


def test_reading_pauses_the_garbage_collector_and_restores_it(tmp_path, monkeypatch):
    seen = []
    person = mio._person

    def recording(record):
        seen.append(gc.isenabled())
        return person(record)

    monkeypatch.setattr(mio, "_person", recording)
    found = mio.read_mentees(write(tmp_path, "m.csv", "id,goals\na,SQL\nb,charts\n"))
    assert len(found.mentees) == 2 and seen == [False, False] and gc.isenabled()
    with pytest.raises(InputError):  # restored when the file is refused too
        mio.read_mentees(write(tmp_path, "bad.csv", "goals\nSQL\n"))
    assert gc.isenabled()
