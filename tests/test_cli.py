"""The ``tandem`` console script: demo data as CSV feeds ``tandem match`` end to end."""

import csv
import json
import os
import subprocess
import sys

import pytest

from tandem.cli import CANNOT_WRITE, NOT_A_FOLDER, main
from tandem.cli_options import (
    BAD_COUNT,
    BAD_PORT,
    BAD_SECONDS,
    DATABASE_UNREACHABLE,
    LIVE_NEEDS_REDIS,
)


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


def test_server_refuses_large_websocket_frames(monkeypatch):
    """Live websocket review: a signed-in client could send 16 MiB frames (uvicorn's default)
    to a socket that only pushes; over 64 KiB uvicorn now closes it (1009) unread."""
    import uvicorn

    from tandem import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    cli.serve("127.0.0.1", 8104, workers=1)
    assert seen["ws_max_size"] == 64 * 1024


def serve_with(argv, monkeypatch):
    """Run ``tandem serve`` up to where it would start uvicorn; the processes it would start."""
    from tandem import cli

    monkeypatch.setenv("SITE_URL", "https://mentoring.example.org")  # restored after the test
    monkeypatch.setattr(cli, "setup_django", lambda: None)
    monkeypatch.setattr(cli, "refuse_without_secret_key", lambda: False)
    started = []
    monkeypatch.setattr(cli, "serve", lambda host, port, workers: started.append(workers))
    return main(["serve", *argv]), started


@pytest.mark.parametrize(
    ("redis_url", "argv", "workers"),
    [
        ("", [], 1),
        ("", ["--workers", "1"], 1),
        ("redis://127.0.0.1:6379/0", [], 2),
        ("redis://127.0.0.1:6379/0", ["--workers", "4"], 4),
    ],
)
def test_serve_starts_one_process_by_default_without_redis(
    redis_url, argv, workers, settings, monkeypatch
):
    settings.REDIS_URL = redis_url
    assert serve_with(argv, monkeypatch) == (0, [workers])


def test_serve_refuses_several_processes_without_redis(settings, monkeypatch, capsys):
    """A live check: ``tandem serve`` (2 processes by default) without REDIS_URL gave each
    process its own in-memory channel layer, and a partner's sockets on the other process
    missed every message. More than one now needs REDIS_URL, one line and status 2."""
    settings.REDIS_URL = ""
    assert serve_with(["--workers", "2"], monkeypatch) == (2, [])
    assert capsys.readouterr().err == f"tandem serve: {LIVE_NEEDS_REDIS.format(workers=2)}\n"


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "99999"], BAD_PORT.format(value="99999")),
        (["run", "--port", "-1"], BAD_PORT.format(value="-1")),
        (["serve", "--port", "http"], BAD_PORT.format(value="http")),
        (["serve", "--workers", "0"], BAD_COUNT.format(least=1, value="0")),
        (["worker", "--tick-seconds", "0"], BAD_SECONDS.format(value="0")),
        (["worker", "--tick-seconds", "nan"], BAD_SECONDS.format(value="nan")),
        (["demo", "--people", "-5"], BAD_COUNT.format(least=0, value="-5")),
        (["run", "--demo-people", "many"], BAD_COUNT.format(least=0, value="many")),
    ],
)
def test_numbers_out_of_range_are_usage_errors_before_anything_runs(argv, message, capsys):
    """I/O review: a port out of range reached uvicorn after the migrations and ended in a
    traceback, --workers 0 served with one, --tick-seconds 0 ran the jobs in a busy loop and
    a negative --people was a traceback; each is now a usage error (status 2) naming it."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.rstrip().endswith(message)


def test_demo_csv_into_a_folder_it_cannot_make_is_one_line(tmp_path, capsys):
    """I/O review: ``tandem demo --csv`` over a file or under a missing mount was a traceback."""
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    assert main(["demo", "--people", "2", "--csv", str(in_the_way / "demo")]) == 1
    reason = NOT_A_FOLDER
    err = capsys.readouterr().err
    assert err == CANNOT_WRITE.format(path=in_the_way / "demo", reason=reason) + "\n"
    assert in_the_way.read_text() == ""


def test_a_database_it_cannot_use_is_one_line_without_the_url(monkeypatch, capsys):
    """I/O review: a database down, or a DATABASE_URL of an unknown kind, ended run, demo,
    worker and manage in a traceback; now one line (never the URL: it may hold a password)
    and status 1. An error nobody foresaw still shows its traceback."""
    from dj_database_url import UnknownSchemeError
    from django.db.utils import OperationalError

    from tandem import cli

    def down(args):
        raise OperationalError("couldn't get a connection after 20.00 sec\nmore detail")

    monkeypatch.setattr(cli, "command_demo", down)
    assert main(["demo", "--people", "2"]) == 1
    said = DATABASE_UNREACHABLE.format(error="couldn't get a connection after 20.00 sec")
    assert capsys.readouterr().err == f"tandem: {said}\n"

    def unknown(args):
        raise UnknownSchemeError("bogus://")

    monkeypatch.setitem(cli.PASSTHROUGH, "manage", unknown)
    assert main(["manage", "migrate"]) == 1
    assert capsys.readouterr().err.startswith("tandem: DATABASE_URL is not usable: ")

    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "command_demo", broken)
    with pytest.raises(RuntimeError):
        main(["demo"])
