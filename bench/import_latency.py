"""Does a large participant import stall everyone else? Latency of unrelated requests during one.

Usage::

    .venv/bin/python bench/import_latency.py [--size-mb 4.9] [--port 0] [--database-url URL]
                                             [--samples 40]

Builds a fresh database (a temporary SQLite file unless ``--database-url`` names another, which
it migrates and adds to), creates a program admin and a participant, then starts a real server
(``tandem serve``, one uvicorn process) and a task worker (``tandem worker``) on a free port.
It times two unrelated requests of the participant ``--samples`` times with nothing else
running: a read (their dashboard ``/``, through their session) and a write (``PATCH
/api/people/me`` with their API token, changing their city). It then uploads a ``--size-mb`` CSV
as the admin through the API and keeps timing both until the background check has finished,
then confirms it and times both until the background write has finished. A write that fails
(on SQLite: "database is locked" once the 20 s busy timeout passes) is counted, not timed.
Prints median / p95 / max of each series, the upload request's own time, how long the check
and the write took, and how long the write's transaction held the database (the worker's log
line "write transaction"; on SQLite every other write waits for it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ROW = (  # the address "b" + a tag of 4 + n: new people in every run, the same file size
    "{email},Person {n},{role},Learn data engineering and SQL tuning {n},,SQL;Python;dbt,{sen},"
    "en;pt,Europe/Berlin,Mon 09:00-12:00; Thu 18:00-20:00,virtual,Berlin,biweekly,Data,{cap},,,,"
    ",p{n}\n"
)
HEADER = (
    "email,name,role,goals,expertise,skills,seniority,languages,timezone,availability,format,"
    "city,cadence,department,capacity,identity,prefer_shared_identity,exclude,manager,id\n"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_csv(size_bytes: int, tag: str = "ench") -> bytes:
    parts, total, n = [HEADER], len(HEADER), 0
    while True:
        mentor = n % 5 == 0
        line = ROW.format(
            email=f"b{tag}{n}@example.org",
            n=n,
            role="mentor" if mentor else "mentee",
            sen=7 if mentor else 2,
            cap=2 if mentor else "",
        )
        if total + len(line) > size_bytes:
            break
        parts.append(line)
        total += len(line)
        n += 1
    return "".join(parts).encode()


def prepare() -> tuple[str, str, str, str]:
    """Migrate; create the admin (API token), a participant (session and API token) and the
    program."""
    import django

    django.setup()
    from django.test import Client

    from tandem.cli import prepare_database
    from tandem.people.models import User
    from tandem.people.services import api_token_create
    from tandem.programs.models import Enrolment, Program

    prepare_database()
    tag = uuid.uuid4().hex[:8]
    program = Program.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    admin = User.objects.create_user(email=f"admin-{tag}@bench.test")
    person = User.objects.create_user(email=f"p-{tag}@bench.test")
    Enrolment.objects.create(program=program, person=admin, role="admin", status="active")
    Enrolment.objects.create(program=program, person=person, role="mentee", status="active")
    _, token = api_token_create(user=admin, name="bench")
    _, person_token = api_token_create(user=person, name="bench")
    client = Client()
    client.force_login(person)
    return program.slug, token, client.cookies["sessionid"].value, person_token


def timed_get(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        assert response.status == 200, response.status
    return (time.perf_counter() - started) * 1000


def timed_write(url: str, token: str, city: str) -> float | None:
    """A small write of the participant's own profile; ``None`` when it failed."""
    body = json.dumps({"city": city}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers, method="PATCH")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
    except (urllib.error.HTTPError, TimeoutError, urllib.error.URLError):
        return None
    return (time.perf_counter() - started) * 1000


def api(url: str, token: str, body: bytes | None = None, content_type: str = "") -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("the server exited; see its output above")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def summary(name: str, values: list[float | None]) -> str:
    done = [value for value in values if value is not None]
    failed = len(values) - len(done)
    return (
        f"{name:<22} n={len(values):>3}  median {statistics.median(done):7.1f} ms  "
        f"p95 {percentile(done, 0.95):7.1f} ms  max {max(done):7.1f} ms  failed {failed}"
    )


@dataclass
class Traffic:
    """A participant's requests, unrelated to the import: a page read and a profile write."""

    base: str
    cookie: str
    person_token: str
    cities: Iterator[str]

    def read(self) -> float:
        return timed_get(f"{self.base}/", self.cookie)

    def write(self) -> float | None:
        return timed_write(f"{self.base}/api/people/me", self.person_token, next(self.cities))


def upload(url: str, token: str, body: bytes, content_type: str, state: dict) -> None:
    """Send the file; the batch and the upload's duration go into ``state``."""
    started = time.perf_counter()
    state["batch"] = api(url, token, body, content_type)
    state["upload_ms"] = (time.perf_counter() - started) * 1000


def batch_status(imports: str, token: str, state: dict) -> str | None:
    """The uploaded batch's status (None before the upload answered); failed polls counted."""
    if "batch" not in state:
        return None
    try:
        return api(f"{imports}/{state['batch']['batch_id']}", token)["status"]
    except urllib.error.HTTPError as error:  # counted, then asked again
        state["poll_errors"] = state.get("poll_errors", 0) + 1
        return f"unknown ({error.code})"


def time_until_done(
    traffic: Traffic, started: float, status: Callable[[], str | None]
) -> tuple[list[float | None], list[float | None], float, str]:
    """Time the page and the write until the batch leaves checking/applying (polled every
    5th round)."""
    times: list[float | None] = []
    writes: list[float | None] = []
    while True:
        times.append(traffic.read())
        writes.append(traffic.write())
        now = status() if len(times) % 5 == 0 else None
        if now and now not in ("checking", "applying") and not now.startswith("unknown"):
            return times, writes, time.perf_counter() - started, now
        if time.perf_counter() - started > 900:
            raise SystemExit("the import did not finish within 15 minutes")


def environment(var_dir: str, database_url: str) -> dict[str, str]:
    """The environment of the server, the worker and this process: a fresh var dir, and the
    given database (default: a SQLite file in the var dir)."""
    env = dict(os.environ)
    env.update(
        TANDEM_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="tandem.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT / "src"),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",  # 26k invitations
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def print_series(
    title: str,
    baseline: list[float | None],
    during_check: list[float | None],
    during_apply: list[float | None],
) -> None:
    """One kind of request: without an import, then during its check and its write."""
    print(title)
    print(summary("  no import running", baseline))
    base_done = [v for v in baseline if v is not None]
    for name, during in (("  during the check", during_check),
                         ("  during the write", during_apply)):  # fmt: skip
        print(summary(name, during))
        done = [v for v in during if v is not None]
        print(
            f"{'    ratio to no import':<24}  median x"
            f"{statistics.median(done) / statistics.median(base_done):.2f}"
            f"     p95 x{percentile(done, 0.95) / percentile(base_done, 0.95):.2f}"
            f"     max x{max(done) / max(base_done):.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=4.9)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--samples", type=int, default=40, help="baseline requests")
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="tandem-bench-import-")
    env = environment(var_dir, args.database_url)
    os.environ.clear()
    os.environ.update(env)
    slug, token, cookie, person_token = prepare()
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tandem.cli"]
    server = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "1"], env=env)  # fmt: skip
    worker_log = Path(var_dir) / "worker.log"
    with worker_log.open("w") as log:  # INFO: the import's "write transaction" line
        worker = subprocess.Popen([*command, "worker", "--tick-seconds", "3600"],
                                  env={**env, "LOG_LEVEL": "INFO"}, stderr=log)  # fmt: skip
    try:
        wait_until_up(f"{base}/login/", server)
        # Each write changes the stored city.
        traffic = Traffic(base, cookie, person_token, iter(["Lisbon", "Porto"] * 100_000))
        for _ in range(3):
            traffic.read()  # warm up
            traffic.write()
        baseline = [traffic.read() for _ in range(args.samples)]
        baseline_writes = [traffic.write() for _ in range(args.samples)]

        content = make_csv(int(args.size_mb * 1024 * 1024), tag=secrets.token_hex(2))
        body, content_type = multipart("bench.csv", content)
        rows = content.count(b"\n") - 1
        state: dict = {}
        imports = f"{base}/api/programs/{slug}/import"
        thread = threading.Thread(target=upload, args=(imports, token, body, content_type, state))
        started = time.perf_counter()
        thread.start()
        status = partial(batch_status, imports, token, state)
        during_check, writes_check, check_s, checked = time_until_done(traffic, started, status)
        thread.join()
        started = time.perf_counter()
        api(f"{imports}/{state['batch']['batch_id']}/confirm", token, b"")
        during_apply, writes_apply, apply_s, applied = time_until_done(traffic, started, status)
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=30)
        held = re.findall(r"write transaction ([0-9.]+) s", worker_log.read_text())
        shutil.rmtree(var_dir, ignore_errors=True)

    database = "PostgreSQL" if "postgres" in args.database_url else "SQLite"
    print(f"\nImport latency ({database}, one uvicorn process + one task worker, {os.cpu_count()} "
          f"CPUs): {len(content) / 1024 / 1024:.2f} MB CSV, {rows:,} rows; "
          f"unrelated requests of a participant")  # fmt: skip
    print_series("read: GET / (session)", baseline, during_check, during_apply)
    print_series("write: PATCH /api/people/me (token)", baseline_writes, writes_check, writes_apply)
    print(f"upload request {state['upload_ms']:.0f} ms; check done after {check_s:.1f} s "
          f"({checked}); write done after {apply_s:.1f} s ({applied}); "
          f"{state.get('poll_errors', 0)} status polls failed; the write's transaction held "
          f"the database {held[-1] + ' s' if held else '(not logged)'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
