"""The messaging bench's fixtures: its database, people in bulk, ``tandem serve`` processes
whose memory, CPU and log it can read, one send over HTTP, and what a phase measured
(``bench/messaging.py``)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Person:
    user_id: int
    session: str
    token: str


@dataclass(frozen=True)
class Pair:
    mentorship_id: int
    people: tuple[Person, Person]


def unreachable(*urls: str) -> list[str]:
    """The URLs among ``urls`` (``scheme://[user@]host:port/...``) whose port does not answer."""
    missing = []
    for url in urls:
        host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port
        try:
            socket.create_connection((host, port or 0), timeout=3).close()
        except OSError:
            missing.append(url)
    return missing


def create_database(url: str) -> None:
    """The bench's own database, made on first use and reused (migrate is idempotent)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def populate(pair_count: int) -> list[Pair]:
    """People, mentorships, conversations, sessions and API tokens, in bulk."""
    from datetime import date, timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from tandem.mentorships.models import Mentorship, MentorshipState
    from tandem.messaging.models import Conversation
    from tandem.people.auth import hash_token
    from tandem.people.models import ApiToken, User
    from tandem.programs.models import Enrolment, Program, Role

    tag = secrets.token_hex(4)
    program = Program.objects.create(name=f"Messaging bench {tag}", slug=f"msg-bench-{tag}")
    emails = [f"msg-{tag}-{n}@bench.test" for n in range(2 * pair_count)]
    User.objects.bulk_create(User(email=e, username=e, password="!unusable") for e in emails)
    users = list(User.objects.filter(email__in=emails).order_by("pk"))
    mentors, mentees = users[0::2], users[1::2]
    Enrolment.objects.bulk_create(
        Enrolment(program=program, person=u, role=role, status="active")
        for group, role in ((mentors, Role.MENTOR), (mentees, Role.MENTEE))
        for u in group
    )
    today = date.today()
    Mentorship.objects.bulk_create(
        Mentorship(
            program=program,
            mentor=mentor,
            mentee=mentee,
            state=MentorshipState.ACTIVE,
            starts_on=today,
            ends_on=today + timedelta(weeks=12),
        )
        for mentor, mentee in zip(mentors, mentees, strict=True)
    )
    mentorships = list(Mentorship.objects.filter(program=program).order_by("mentor_id"))
    Conversation.objects.bulk_create(
        Conversation(mentorship=m, program=program, mentor_id=m.mentor_id, mentee_id=m.mentee_id)
        for m in mentorships
    )
    store, expires = SessionStore(), timezone.now() + timedelta(days=1)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    people: dict[int, Person] = {}
    sessions, tokens = [], []
    for user in users:
        key, secret = secrets.token_hex(16), secrets.token_urlsafe(24)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expires)
        )
        tokens.append(
            ApiToken(user=user, name="bench", prefix=secret[:8], key_hash=hash_token(secret))
        )
        people[user.pk] = Person(user.pk, key, secret)
    Session.objects.bulk_create(sessions)
    ApiToken.objects.bulk_create(tokens)
    return [Pair(m.pk, (people[m.mentor_id], people[m.mentee_id])) for m in mentorships]


def machine_times() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (``/proc/stat``)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


class Server:
    """One ``tandem serve`` process (one uvicorn worker) on a free port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "tandem.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", "1"]
        self.log = Path(tempfile.mkstemp(prefix="tandem-bench-serve-", suffix=".log")[1])
        env = {**env, "LOG_LEVEL": "INFO"}  # channels_redis says "over capacity" at INFO
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, stderr=log)

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"tandem serve on {self.port} exited ({self.process.returncode})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login/", timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"tandem serve on {self.port} did not answer")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def threads(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """User + system CPU the process has used (``/proc/<pid>/stat``)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_lines(self, *needles: str) -> Counter:
        """How many lines of the server's log hold each of ``needles``."""
        text = self.log.read_text(errors="replace").splitlines()
        return Counter(needle for line in text for needle in needles if needle in line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def post_message(port: int, person: Person, mentorship_id: int, client_id: str) -> int:
    """One send over HTTP/1.1 (a fresh connection each; nothing else is installed here)."""
    body = json.dumps({"body": f"Bench message {client_id}", "client_id": client_id}).encode()
    head = (
        f"POST /api/mentorships/{mentorship_id}/messages HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {person.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        reply = await reader.read()
    finally:
        writer.close()
    return int(reply.split(b" ", 2)[1])


@dataclass
class Phase:
    """What one run measured."""

    label: str
    sockets_open: int = 0
    sockets_dropped: int = 0
    most_threads: int = 0  # in one server process, sampled while sending
    close_codes: Counter = field(default_factory=Counter)  # of the dropped ones, as received
    statuses: Counter = field(default_factory=Counter)
    send_ms: list[float] = field(default_factory=list)
    partner_ms: list[float] = field(default_factory=list)
    own_ms: list[float] = field(default_factory=list)
    lost_partner: int = 0
    lost_own: int = 0
    duplicated: int = 0
    misrouted: int = 0
    delivered_rate: float = 0.0
    client_lag_ms: list[float] = field(default_factory=list)
    serial_ms: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)  # share of one core, per process
    cpu_ms_per_message: float = 0.0
    machine_busy: float = 0.0
    schedule_late_ms: float = 0.0
    memory: list[tuple[str, list[float]]] = field(default_factory=list)
    server_log: Counter = field(default_factory=Counter)
    logs_kept: list[str] = field(default_factory=list)
    open_log: Counter = field(default_factory=Counter)  # the same, before the sockets closed

    @property
    def stored(self) -> int:
        return self.statuses[201]

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 201)
