"""The ``tandem`` console script: demo data as CSV feeds ``tandem match`` end to end."""

import csv
import json
import os
import subprocess
import sys

from tandem.cli import main


def test_demo_csv_feeds_match_end_to_end(tmp_path, capsys):
    assert main(["demo", "--people", "60", "--seed", "3", "--csv", str(tmp_path)]) == 0
    mentees, mentors = tmp_path / "mentees.csv", tmp_path / "mentors.csv"
    assert mentees.exists() and mentors.exists()

    out, report = tmp_path / "pairs.csv", tmp_path / "report.json"
    code = main(
        [
            "match",
            "--mentees",
            str(mentees),
            "--mentors",
            str(mentors),
            "--objective",
            "optimal",
            "--seed",
            "1",
            "--out",
            str(out),
            "--report",
            str(report),
            "--no-progress",
        ]
    )
    assert code == 0
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    with mentees.open() as handle:
        mentee_ids = {row["id"] for row in csv.DictReader(handle)}
    assert {row["mentee_id"] for row in rows} == mentee_ids
    matched = [row for row in rows if row["mentor_id"]]
    assert matched and all(row["reasons"] for row in rows)
    assert json.loads(report.read_text())["matched"] == len(matched)


def test_match_errors_leave_no_output(tmp_path, capsys):
    (tmp_path / "mentees.csv").write_text("id,timezone\na,Mars/Olympus\n")
    (tmp_path / "mentors.csv").write_text("id,capacity\nm,two\n")
    out = tmp_path / "pairs.csv"
    code = main(
        [
            "match",
            "--mentees",
            str(tmp_path / "mentees.csv"),
            "--mentors",
            str(tmp_path / "mentors.csv"),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code != 0
    assert not out.exists()
    errors = capsys.readouterr().err
    assert "mentees.csv:2:timezone" in errors
    assert "mentors.csv:2:capacity" in errors


def test_server_does_not_trust_forwarded_headers(monkeypatch):
    """Issue 8: uvicorn believes X-Forwarded-For from 127.0.0.1 unless told not to."""
    import uvicorn
    from uvicorn.config import Config

    from tandem import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    cli.serve("127.0.0.1", 8104, workers=1)
    assert seen["proxy_headers"] is False
    assert Config("tandem.asgi:application", **seen).proxy_headers is False


def test_demo_key_is_made_once_and_kept_private(tmp_path, monkeypatch):
    """`tandem run` needs no configuration: a random key in var/, the same on every start."""
    import os
    import stat

    from tandem import cli

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path / "var"))
    cli.ensure_demo_secret_key()
    key = os.environ["SECRET_KEY"]
    path = tmp_path / "var" / "secret_key"
    assert path.read_text() == key and len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    monkeypatch.delenv("SECRET_KEY")
    cli.ensure_demo_secret_key()
    assert os.environ["SECRET_KEY"] == key


def test_demo_key_never_overrides_a_configured_one(tmp_path, monkeypatch):
    import os

    from tandem import cli

    monkeypatch.setenv("SECRET_KEY", "configured-by-the-admin")
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path))
    cli.ensure_demo_secret_key()
    assert os.environ["SECRET_KEY"] == "configured-by-the-admin"
    assert not (tmp_path / "secret_key").exists()


def test_manage_works_before_the_sqlite_folder_exists(tmp_path):
    """``tandem manage migrate`` on a fresh checkout must not fail with 'unable to open'."""
    var_dir = tmp_path / "not-yet" / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["TANDEM_VAR_DIR"] = str(var_dir)
    finished = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "manage", "showmigrations", "people"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert "[ ] 0001_initial" in finished.stdout
    assert (var_dir / "tandem.sqlite3").exists()


def test_the_demo_prints_its_logins_without_a_screenful_of_mail(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_BACKEND"}
    }
    env["TANDEM_VAR_DIR"] = str(tmp_path / "var")
    finished = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "demo", "--people", "30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr
    assert "Demo logins" in finished.stdout
    assert "Subject:" not in finished.stdout + finished.stderr
