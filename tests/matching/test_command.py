import csv
import json
from functools import partial

import pytest

from tandem.matching import command, pipeline
from tandem.matching.command import UNWRITABLE, main
from tandem.matching.records.cells import CAPACITY_INVALID, CAPACITY_MAX
from tandem.matching.records.reading import read_rows
from tandem.matching.report import public_group_rows

MENTEES = """id,goals,languages,timezone,availability,cadence
a,I want my charts to tell a clear story to executives,en,Europe/Berlin,Mon 09:00-12:00,biweekly
b,write clear user stories,en,UTC,,weekly
c,learn German business writing,de,UTC,,
"""
MENTORS = """id,expertise,capacity,languages,timezone,availability,cadence
dash,data visualisation and dashboard design,1,en,Europe/London,Mon 08:00-12:00,biweekly
story,user story mapping,1,en,UTC,,weekly
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "mentees.csv").write_text(MENTEES)
    (tmp_path / "mentors.csv").write_text(MENTORS)
    return tmp_path


def run(files, *extra):
    return main(
        [
            "--mentees",
            str(files / "mentees.csv"),
            "--mentors",
            str(files / "mentors.csv"),
            "--no-progress",
            *extra,
        ]
    )


def read_pairs(path):
    with open(path, newline="") as handle:
        return {row["mentee_id"]: row for row in csv.DictReader(handle)}


def test_end_to_end(files, capsys):
    code = run(files, "--out", str(files / "pairs.csv"), "--report", str(files / "r.json"))
    assert code == 0
    pairs = read_pairs(files / "pairs.csv")
    assert list(pairs) == ["a", "b", "c"]
    assert pairs["a"]["mentor_id"] == "dash"
    assert "Goals and expertise meet in data visualisation" in pairs["a"]["reasons"]
    assert "3 hours a week free at the same time" in pairs["a"]["reasons"]
    assert pairs["c"]["mentor_id"] == "" and pairs["c"]["reasons"] == (
        "no mentor shares a language"
    )
    report = json.loads((files / "r.json").read_text())
    assert report["matched"] == 2 and report["unmatched"] == 1
    assert report["objective"] == "optimal" and "read" in report["phase_seconds"]
    assert {
        "total_score",
        "mean_score",
        "min_score",
        "upper_bound",
        "gap",
        "blocking_pairs",
        "groups",
    } <= set(report)
    assert "matched 2 of 3 mentees" in capsys.readouterr().err


def test_pairs_go_to_stdout_without_out(files, capsys):
    assert (
        main(
            [
                "match",
                "--mentees",
                str(files / "mentees.csv"),
                "--mentors",
                str(files / "mentors.csv"),
                "--objective",
                "stable",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("mentee_id,mentor_id,score,reasons")


def test_input_errors_create_no_files(files, capsys):
    (files / "mentors.csv").write_text("id,capacity,timezone\ndash,1.5,Mars/Base\n")
    code = run(files, "--out", str(files / "pairs.csv"), "--report", str(files / "r.json"))
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    capacity = CAPACITY_INVALID.format(max=CAPACITY_MAX, value="1.5")
    assert f"{files}/mentors.csv:2:capacity: {capacity}" in err
    assert any(line.startswith(f"{files}/mentors.csv:2:timezone:") for line in err)
    assert sorted(p.name for p in files.iterdir()) == ["mentees.csv", "mentors.csv"]


def test_unwritable_outputs_are_refused_before_the_run(files, capsys, monkeypatch):
    """I/O review: a missing folder or a directory as --out failed after the whole match
    with a traceback; now it is one line per file, before any matching, and nothing is left."""
    ran = []
    monkeypatch.setattr(command, "_run", lambda *args: ran.append(args))
    missing, folder = files / "no-such-folder" / "pairs.csv", files / "reports"
    folder.mkdir()
    assert run(files, "--out", str(missing), "--report", str(folder)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        UNWRITABLE.format(path=missing, reason="No such file or directory"),
        UNWRITABLE.format(path=folder, reason="it is a directory"),
    ]
    assert ran == []
    assert sorted(p.name for p in files.iterdir()) == ["mentees.csv", "mentors.csv", "reports"]


def test_a_failed_write_is_reported_without_a_traceback(files, capsys, monkeypatch):
    def fail(*_):
        raise OSError(28, "No space left on device", f"{files}/pairs.csv.tmp{command.os.getpid()}")

    monkeypatch.setattr(command, "_write_outputs", fail)
    assert run(files, "--out", str(files / "pairs.csv")) == 1
    reason = "No space left on device"
    assert UNWRITABLE.format(path=files / "pairs.csv", reason=reason) in capsys.readouterr().err


def test_a_full_disk_names_the_file_it_could_not_write(files, capsys, monkeypatch):
    """A write that fails for want of space raises an OSError without a file name; the line
    named "None" (code review of 0790d56)."""
    real_open = open

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            raise OSError(28, "No space left on device")

    def opened(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return FullDisk(handle) if mode == "w" else handle

    monkeypatch.setattr(command, "open", opened, raising=False)
    assert run(files, "--out", str(files / "pairs.csv"), "--report", str(files / "r.json")) == 1
    reason = "No space left on device"
    assert UNWRITABLE.format(path=files / "pairs.csv", reason=reason) in capsys.readouterr().err
    assert sorted(p.name for p in files.iterdir()) == ["mentees.csv", "mentors.csv"]


def test_formula_ids_are_neutralised_in_the_pairs_file(tmp_path):
    """I/O review: an id such as ``=cmd`` or ``@SUM(1)`` went into pairs.csv as it was, where
    a spreadsheet runs it; it gets the participant export's apostrophe, which reads back."""
    (tmp_path / "mentees.csv").write_text("id,languages\n'=cmd,en\n@SUM(1),de\n")
    (tmp_path / "mentors.csv").write_text("id,languages,capacity\n+m,en,1\n")
    out = tmp_path / "pairs.csv"
    assert (
        main(
            [
                "--mentees",
                str(tmp_path / "mentees.csv"),
                "--mentors",
                str(tmp_path / "mentors.csv"),
                "--out",
                str(out),
                "--no-progress",
                "--embedder",
                "builtin",
            ]
        )
        == 0
    )
    pairs = read_pairs(out)
    assert pairs["'=cmd"]["mentor_id"] == "'+m"
    assert pairs["'@SUM(1)"]["mentor_id"] == ""
    rows = read_rows(filename="pairs.csv", content=out.read_bytes())
    assert [cells[:2] for _, cells in rows[1:]] == [["=cmd", "+m"], ["@SUM(1)", ""]]


def test_pin_forbid_weights_and_determinism(files):
    args = [
        "--pin",
        "a:story",
        "--forbid",
        "b:dash",
        "--weights",
        "goals=5,skills=0",
        "--seed",
        "7",
    ]
    assert run(files, "--out", str(files / "one.csv"), *args) == 0
    assert run(files, "--out", str(files / "two.csv"), *args) == 0
    assert (files / "one.csv").read_text() == (files / "two.csv").read_text()
    assert read_pairs(files / "one.csv")["a"]["mentor_id"] == "story"


def test_bad_pin_is_reported(files, capsys):
    assert run(files, "--pin", "c:dash") == 1
    assert "breaks a hard constraint (language)" in capsys.readouterr().err


def test_usage_errors(files):
    with pytest.raises(SystemExit) as caught:
        run(files, "--weights", "goals=lots")
    assert caught.value.code == 2
    with pytest.raises(SystemExit):
        main(["--mentees", str(files / "mentees.csv")])
    with pytest.raises(SystemExit):
        run(files, "--top-k", "0")
    assert run(files, "--weights", "charm=1") == 1
    with pytest.raises(SystemExit):  # families check: Python's float() reads 1_0 as 10
        run(files, "--weights", "goals=1_0")


def test_an_infinite_weight_is_refused_as_not_finite(files, capsys):
    # Families check: "must be a number >= 0 (got inf)" told the user inf was not a number
    assert run(files, "--weights", "goals=inf") == 1
    assert "weight of 'goals' must be a finite number >= 0 (got inf)" in capsys.readouterr().err


def test_score_table_mode(tmp_path):
    (tmp_path / "s.csv").write_text("mentee_id,mentor_id,score\na,m,0.5\nb,m,0.9\nc,n,0.2\n")
    (tmp_path / "c.csv").write_text("id,capacity\nm,1\nn,0\n")
    code = main(
        [
            "--scores",
            str(tmp_path / "s.csv"),
            "--capacities",
            str(tmp_path / "c.csv"),
            "--out",
            str(tmp_path / "p.csv"),
            "--report",
            str(tmp_path / "r.json"),
        ]
    )
    assert code == 0
    pairs = read_pairs(tmp_path / "p.csv")
    assert pairs["b"]["mentor_id"] == "m" and pairs["b"]["reasons"] == "score from the table"
    assert pairs["a"]["reasons"] == "every compatible mentor was full"
    assert pairs["c"]["mentor_id"] == ""


def test_one_participants_file(tmp_path):
    (tmp_path / "p.csv").write_text(
        "id,role,capacity,goals,expertise\na,mentee,,SQL,\nm,mentor,1,,SQL databases\n"
    )
    assert main(["--participants", str(tmp_path / "p.csv"), "--out", str(tmp_path / "o.csv")]) == 0
    assert read_pairs(tmp_path / "o.csv")["a"]["mentor_id"] == "m"


def test_options_reach_the_matcher(files):
    (files / "mentees.csv").write_text("id,seniority,department\na,8,x\nb,2,y\n")
    (files / "mentors.csv").write_text("id,capacity,seniority,department\njr,1,1,x\nsr,1,9,y\n")
    out = str(files / "p.csv")
    assert run(files, "--out", out, "--reverse") == 0
    assert read_pairs(out)["a"]["mentor_id"] == "jr"
    assert run(files, "--out", out, "--conflict-rules", "manager,department") == 0
    assert read_pairs(out)["a"]["mentor_id"] == "sr"
    assert run(files, "--out", out, "--top-k", "1") == 0


def test_progress_bar_only_on_a_terminal(files, capsys, monkeypatch):
    assert run(files) == 0
    assert "scoring" not in capsys.readouterr().err
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert (
        main(["--mentees", str(files / "mentees.csv"), "--mentors", str(files / "mentors.csv")])
        == 0
    )
    assert "scoring" in capsys.readouterr().err


def test_score_table_pins_and_forbids(tmp_path, capsys):
    (tmp_path / "s.csv").write_text("mentee_id,mentor_id,score\na,m,0.9\nb,m,0.5\nb,n,0.4\n")
    (tmp_path / "c.csv").write_text("id,capacity\nm,1\nn,1\n")
    base = [
        "--scores",
        str(tmp_path / "s.csv"),
        "--capacities",
        str(tmp_path / "c.csv"),
        "--out",
        str(tmp_path / "p.csv"),
    ]
    assert main([*base, "--pin", "b:m"]) == 0
    pairs = read_pairs(tmp_path / "p.csv")
    assert pairs["b"]["mentor_id"] == "m" and pairs["a"]["mentor_id"] == ""
    assert main([*base, "--forbid", "a:m"]) == 0
    assert read_pairs(tmp_path / "p.csv")["a"]["reasons"] == (
        "the score table has no row for this mentee"
    )
    assert main([*base, "--pin", "zz:m"]) == 1
    assert "unknown id 'zz'" in capsys.readouterr().err


# Issue #14: pairs.csv rounded scores to 4 decimals. A score table's scores come back exactly;
# scores computed from profiles keep six decimals, as the report does.
TRICKY_SCORES = ["0.123456789012345", "0.30000000000000004", "1e-07", "0.7", "12.5", "-0.25"]


def test_score_table_scores_are_echoed_exactly(tmp_path):
    rows = "".join(f"e{k},m{k},{score}\n" for k, score in enumerate(TRICKY_SCORES))
    (tmp_path / "s.csv").write_text("mentee_id,mentor_id,score\n" + rows)
    capacities = "".join(f"m{k},1\n" for k in range(len(TRICKY_SCORES)))
    (tmp_path / "c.csv").write_text("id,capacity\n" + capacities)
    out = tmp_path / "p.csv"
    assert (
        main(
            [
                "--scores",
                str(tmp_path / "s.csv"),
                "--capacities",
                str(tmp_path / "c.csv"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    pairs = read_pairs(out)
    for k, score in enumerate(TRICKY_SCORES):
        assert float(pairs[f"e{k}"]["score"]) == float(score)
    assert pairs["e0"]["score"] == "0.123456789012345"


def test_profile_scores_have_six_decimals(files):
    assert run(files, "--out", str(files / "pairs.csv")) == 0
    for row in read_pairs(files / "pairs.csv").values():
        if row["mentor_id"]:
            assert len(row["score"].split(".")[1]) == 6, row["score"]


def test_group_rows_come_only_from_what_the_operator_holds(tmp_path):
    """The report's group rows (docs/matching.md, "Group figures") can be counted from the input
    file's identity column and --out alone: they tell the operator nothing new."""
    rows = [f"m{k},learn SQL,en,{'parent' if k < 10 else ''}" for k in range(11)]
    (tmp_path / "mentees.csv").write_text("id,goals,languages,identity\n" + "\n".join(rows))
    (tmp_path / "mentors.csv").write_text("id,expertise,capacity,languages\nt,SQL,9,en\n")
    out, report = tmp_path / "pairs.csv", tmp_path / "r.json"
    assert run(tmp_path, "--out", str(out), "--report", str(report)) == 0
    with open(tmp_path / "mentees.csv", newline="") as handle:
        parents = {r["id"] for r in csv.DictReader(handle) if r["identity"] == "parent"}
    matched = {m for m, row in read_pairs(out).items() if row["mentor_id"]}
    counted = public_group_rows({"parent": (len(parents), len(parents & matched))})
    assert json.loads(report.read_text())["groups"] == counted


def test_short_candidate_lists_are_warned_about_on_stderr(tmp_path, capsys, monkeypatch):
    # Families check: fair and stable at --top-k 1 left mentees beside free seats, silently.
    words = ["speaking", "meetings", "storytelling", "coaching", "hiring", "budgeting"] * 2
    words = [f"{w}{k}" for k, w in enumerate(words)]
    goals = " ".join(words)
    (tmp_path / "mentees.csv").write_text(
        "id,goals\n" + "".join(f"e{i:02d},{goals}\n" for i in range(12))
    )
    (tmp_path / "mentors.csv").write_text(
        "id,expertise,capacity\n"
        + "".join(f"r{j:02d},{' '.join(words[: len(words) - j])},1\n" for j in range(12))
    )
    dense_off = partial(pipeline.match_participants, dense_limit=0)
    monkeypatch.setattr(command, "match_participants", dense_off)
    assert run(tmp_path, "--objective", "fair", "--top-k", "1", "--out", str(tmp_path / "o")) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "outside their top 1 candidates" in err


def test_pairs_are_listed_in_the_mentees_input_order(tmp_path, capsys):
    # Live check: an unmatched mentee in the middle of the file came out last, in profile
    # and score-table mode alike, where the docs promise one row per mentee in input order.
    (tmp_path / "me.csv").write_text("id,languages\nz1,en\nz2,de\nz3,en\n")
    (tmp_path / "mo.csv").write_text("id,languages,capacity\nM,en,2\n")
    assert main(["--mentees", str(tmp_path / "me.csv"), "--mentors", str(tmp_path / "mo.csv")]) == 0
    assert [row[0] for row in csv.reader(capsys.readouterr().out.splitlines()[1:])] == [
        "z1",
        "z2",
        "z3",
    ]
    (tmp_path / "s.csv").write_text("mentee_id,mentor_id,score\nz1,M,0.5\nz2,N,0.1\nz3,M,0.4\n")
    (tmp_path / "c.csv").write_text("id,capacity\nM,2\nN,0\n")
    out = tmp_path / "p.csv"
    assert main(["--scores", str(tmp_path / "s.csv"), "--capacities", str(tmp_path / "c.csv"),
                 "--out", str(out)]) == 0  # fmt: skip
    assert list(read_pairs(out)) == ["z1", "z2", "z3"]
