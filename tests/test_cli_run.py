"""``tandem run`` in a real process: SIGTERM stops its worker with it (a live review left the
worker running without a parent), and the server and its worker make links to the address it
serves on unless ``SITE_URL`` says otherwise (links said http://127.0.0.1:8000 while it served
on port 8011).

The database and static files are left out (the migrations take longer than the rest
together) and the worker is a stand-in that reports its ``SITE_URL`` and sleeps: what is
checked is ``command_run`` around a real uvicorn, whose signal handling is the trap."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tandem import cli
from tandem.cli import site_url_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
STARTUP_SECONDS = 15

# The worker stand-in writes its pid and SITE_URL, then sleeps until it is stopped.
WORKER = """
import os, sys, time
with open(sys.argv[1] + ".tmp", "w") as report:
    report.write(f"{os.getpid()} {os.environ['SITE_URL']}")
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
"""
RUN = """
import subprocess, sys
from django.core import management
from tandem import cli

cli.prepare_database = lambda verbosity=0: None
management.call_command = lambda *args, **options: None  # collectstatic
cli.start_worker = lambda: subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
sys.exit(cli.main(["run", "--no-demo", "--host", "127.0.0.1", "--port", sys.argv[3]]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _serving(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigterm_stops_the_worker_and_its_links_use_the_address_served(tmp_path):
    port, report = _free_port(), tmp_path / "worker"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SITE_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(TANDEM_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, WORKER, str(report), str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        if not _wait(lambda: report.exists() and _serving(port), STARTUP_SECONDS):
            pytest.skip(f"tandem run did not start within {STARTUP_SECONDS} s (a busy machine)")
        pid, site_url = report.read_text().split(" ", 1)
        worker = int(pid)
        assert site_url == f"http://127.0.0.1:{port}"
        assert _alive(worker)

        run.send_signal(signal.SIGTERM)
        run.wait(timeout=15)
        assert _wait(lambda: not _alive(worker), 5), "the worker outlived tandem run"
        assert run.returncode == 128 + signal.SIGTERM
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        if worker is not None and _alive(worker):
            os.kill(worker, signal.SIGKILL)


@pytest.mark.parametrize(
    ("configured", "expected"),
    [("", "http://127.0.0.1:8011"), ("https://mentoring.example.org", None)],
)
@pytest.mark.parametrize(
    "command",
    [
        ["run", "--no-demo", "--no-worker", "--port", "8011"],
        # ``serve`` left the settings' default (port 8000) in the links of its server.
        ["serve", "--port", "8011", "--workers", "1"],
    ],
    ids=["run", "serve"],
)
def test_a_configured_site_url_is_kept(monkeypatch, configured, expected, command):
    monkeypatch.setenv("SITE_URL", configured)  # restored after the test
    monkeypatch.setenv("SECRET_KEY", "set-for-the-test")
    loaded = {}
    monkeypatch.setattr(cli, "setup_django", lambda: loaded.update(url=os.environ["SITE_URL"]))
    monkeypatch.setattr(cli, "refuse_without_secret_key", lambda: False)
    monkeypatch.setattr(cli, "prepare_database", lambda verbosity=0: None)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    monkeypatch.setattr(cli, "exit_on_sigterm", lambda: None)
    served = {}
    monkeypatch.setattr(cli, "serve", lambda *a, **k: served.update(url=os.environ["SITE_URL"]))
    assert cli.main(command) == 0
    # Set before the settings load, which read it once.
    assert loaded["url"] == served["url"] == (expected or configured)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8011"),
        ("0.0.0.0", "http://127.0.0.1:8011"),  # noqa: S104 - an address to read, not bind
        ("::", "http://127.0.0.1:8011"),
        ("::1", "http://[::1]:8011"),
        ("tandem.local", "http://tandem.local:8011"),
    ],
)
def test_the_address_links_use(host, url):
    assert site_url_for(host, 8011) == url
