"""Does a large participant import stall everyone else? Latency of an unrelated page during one.

Usage::

    .venv/bin/python bench/import_latency.py [--size-mb 4.9] [--port 0] [--database-url URL]
                                             [--samples 40]

Builds a fresh database (a temporary SQLite file unless ``--database-url`` names another, which
it migrates and adds to), creates a program admin and a participant, then starts a real server
(``tandem serve``, one uvicorn process) and a task worker (``tandem worker``) on a free port.
It times the participant's dashboard page (``/``, through their session) ``--samples`` times
with nothing else running, then uploads a ``--size-mb`` CSV as the admin through the API and,
until the background check has finished, keeps timing the same page. Prints median / p95 / max
of both series, the upload request's own time and how long the check took.
"""

from __future__ import annotations

import argparse
import json
import os
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ROW = (
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


def make_csv(size_bytes: int) -> bytes:
    parts, total, n = [HEADER], len(HEADER), 0
    while True:
        mentor = n % 5 == 0
        line = ROW.format(
            email=f"bench{n}@example.org",
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


def prepare() -> tuple[str, str, str]:
    """Migrate; create the admin (API token), a participant (session) and the program."""
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
    client = Client()
    client.force_login(person)
    return program.slug, token, client.cookies["sessionid"].value


def timed_get(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        assert response.status == 200, response.status
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


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<22} n={len(values):>3}  median {statistics.median(values):7.1f} ms  "
        f"p95 {percentile(values, 0.95):7.1f} ms  max {max(values):7.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=4.9)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--samples", type=int, default=40, help="baseline requests")
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="tandem-bench-import-")
    env = dict(os.environ)
    env.update(
        TANDEM_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="tandem.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT / "src"),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",  # 26k invitations
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    os.environ.clear()
    os.environ.update(env)
    slug, token, cookie = prepare()
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tandem.cli"]
    server = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "1"], env=env)  # fmt: skip
    worker = subprocess.Popen([*command, "worker", "--tick-seconds", "3600"], env=env)
    try:
        wait_until_up(f"{base}/login/", server)
        page = f"{base}/"
        for _ in range(3):
            timed_get(page, cookie)  # warm up
        baseline = [timed_get(page, cookie) for _ in range(args.samples)]

        content = make_csv(int(args.size_mb * 1024 * 1024))
        body, content_type = multipart("bench.csv", content)
        rows = content.count(b"\n") - 1
        state: dict = {}

        def upload() -> None:
            started = time.perf_counter()
            state["batch"] = api(f"{base}/api/programs/{slug}/import", token, body, content_type)
            state["upload_ms"] = (time.perf_counter() - started) * 1000

        def status() -> str:
            url = f"{base}/api/programs/{slug}/import/{state['batch']['batch_id']}"
            try:
                return api(url, token)["status"]
            except urllib.error.HTTPError as error:  # counted, then asked again
                state["poll_errors"] = state.get("poll_errors", 0) + 1
                return f"unknown ({error.code})"

        def time_page_until_done(started: float) -> tuple[list[float], float, str]:
            """Time the page until the batch leaves checking/applying (polled every 5th)."""
            times: list[float] = []
            while True:
                times.append(timed_get(page, cookie))
                if "batch" in state and len(times) % 5 == 0:
                    now = status()
                    if now not in ("checking", "applying") and not now.startswith("unknown"):
                        return times, time.perf_counter() - started, now
                if time.perf_counter() - started > 900:
                    raise SystemExit("the import did not finish within 15 minutes")

        thread = threading.Thread(target=upload)
        started = time.perf_counter()
        thread.start()
        during_check, check_s, checked = time_page_until_done(started)
        thread.join()
        started = time.perf_counter()
        api(f"{base}/api/programs/{slug}/import/{state['batch']['batch_id']}/confirm", token, b"")
        during_apply, apply_s, applied = time_page_until_done(started)
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)

    database = "PostgreSQL" if "postgres" in args.database_url else "SQLite"
    print(f"\nImport latency ({database}, one uvicorn process + one task worker, {os.cpu_count()} "
          f"CPUs): {len(content) / 1024 / 1024:.2f} MB CSV, {rows:,} rows; "
          f"unrelated request: GET / as a participant")  # fmt: skip
    print(summary("no import running", baseline))
    for name, during in (("during the check", during_check), ("during the write", during_apply)):
        print(summary(name, during))
        print(
            f"{'  ratio to baseline':<22}        median x"
            f"{statistics.median(during) / statistics.median(baseline):.2f}"
            f"          p95 x{percentile(during, 0.95) / percentile(baseline, 0.95):.2f}"
            f"          max x{max(during) / max(baseline):.2f}"
        )
    print(f"upload request {state['upload_ms']:.0f} ms; check done after {check_s:.1f} s "
          f"({checked}); write done after {apply_s:.1f} s ({applied}); "
          f"{state.get('poll_errors', 0)} status polls failed")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
