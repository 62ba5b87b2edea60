"""channels' test communicators swap ``channels.db.close_old_connections`` for a no-op while
they wait, with ``mock.patch``: two sockets waiting at once (``tests/messaging``'s many
sockets) put back each other's no-op, which then stayed for the rest of the run. Every later
``database_sync_to_async`` call (a websocket's log-in check under the journeys' uvicorn) left
its connection open in asgiref's one thread, and the PostgreSQL pass could not drop its test
database ("being accessed by other users": ``test_test_gw0`` left behind).

Checked in a pytest run of its own, whose order is known: the test after the one that left
the no-op must find Django's ``close_old_connections`` again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TWO_TESTS = """
import asyncio

import channels.db
import pytest
from channels.testing import ApplicationCommunicator
from django import db


async def silent(scope, receive, send):
    await asyncio.Event().wait()


async def wait(seconds):
    socket = ApplicationCommunicator(silent, {"type": "websocket"})
    with pytest.raises(asyncio.TimeoutError):
        await socket.receive_output(timeout=seconds)


def test_two_sockets_wait_at_once():
    async def both():
        await asyncio.gather(wait(0.1), wait(0.3))

    asyncio.run(both())
    assert channels.db.close_old_connections is not db.close_old_connections  # channels' slip


def test_the_next_test_closes_connections_again():
    assert channels.db.close_old_connections is db.close_old_connections
"""


def test_the_no_op_of_channels_communicators_ends_with_the_test(tmp_path):
    (tmp_path / "test_order.py").write_text(TWO_TESTS)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "tests.conftest"]
        + ["-p", "no:randomly", "--rootdir", str(ROOT), str(tmp_path / "test_order.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "2 passed" in run.stdout, run.stdout + run.stderr
