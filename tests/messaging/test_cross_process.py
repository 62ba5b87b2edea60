"""With Redis, a message sent to one server process reaches a socket held by another: two
``tandem serve`` processes on the PostgreSQL test database and Redis (the PostgreSQL pass)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from tandem.people.auth import hash_token
from tandem.people.models import ApiToken
from tests.mentorships.factories import mentorship


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"tandem serve on {port} did not answer")


@pytest.fixture
def two_servers(postgres_only, redis_url, transactional_db):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tandem.cli", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_until_up(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def test_a_message_sent_to_one_process_reaches_a_socket_on_the_other(two_servers):
    from websockets.sync.client import connect

    socket_port, api_port = two_servers
    m = mentorship()
    browser = Client()
    browser.force_login(m.mentor)
    session = browser.cookies["sessionid"].value
    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(user=m.mentee, name="t", prefix=secret[:8], key_hash=hash_token(secret))

    with connect(
        f"ws://127.0.0.1:{socket_port}/ws/notifications/",
        additional_headers={
            "Cookie": f"sessionid={session}",
            "Origin": f"http://127.0.0.1:{socket_port}",
        },
        open_timeout=30,
    ) as mentor_socket:
        time.sleep(0.5)  # the socket has joined its group
        request = urllib.request.Request(
            f"http://127.0.0.1:{api_port}/api/mentorships/{m.pk}/messages",
            data=json.dumps({"body": "across processes", "client_id": "x1"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.status == 201
            sent = json.loads(reply.read())
        deadline = time.monotonic() + 15
        while True:
            event = json.loads(mentor_socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if event.get("event") == "message":
                break
    assert event["message"]["id"] == sent["id"]
    assert event["message"]["body"] == "across processes"
