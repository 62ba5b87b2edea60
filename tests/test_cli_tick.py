"""``tandem worker``'s periodic tick survives a dropped database connection.

The tick runs in a thread of its own, whose connection nobody checked: once the database
server dropped it (restart, failover, idle timeout; a deployment's live check terminated the
backends), every job of every later tick failed with "the connection is closed", and reminders,
digests and message emails stopped until the worker was restarted.
"""

from __future__ import annotations

import threading

import django.core.management
import pytest
from django.db import connection

from tandem import cli


@pytest.mark.django_db(transaction=True)
def test_a_tick_after_the_connection_dropped_runs_on_a_new_one(monkeypatch, postgres_only):
    """PostgreSQL only: a server drops connections there; Django never closes the in-memory
    SQLite database of the tests (closing would lose it)."""
    stop = threading.Event()
    results: list[object] = []

    def tick(name, **options):
        assert name == "tandem_tick"
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                results.append(cursor.fetchone()[0])
        except Exception as error:  # noqa: BLE001 - what a job would have met
            results.append(repr(error))
        if len(results) == 1:
            connection.connection.close()  # the server drops this thread's connection
        elif len(results) == 3:
            stop.set()

    monkeypatch.setattr(django.core.management, "call_command", tick)
    ticker = threading.Thread(target=cli.tick_forever, args=(0.01, stop))
    ticker.start()
    ticker.join(timeout=30)
    assert not ticker.is_alive()
    assert results == [1, 1, 1]


def test_a_tick_that_raises_does_not_end_the_ticking(monkeypatch):
    stop = threading.Event()
    calls: list[int] = []

    def tick(name, **options):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a job outside the registry's guard")
        stop.set()

    monkeypatch.setattr(django.core.management, "call_command", tick)
    ticker = threading.Thread(target=cli.tick_forever, args=(0.01, stop))
    ticker.start()
    ticker.join(timeout=30)
    assert not ticker.is_alive() and len(calls) == 2


def test_a_tick_at_an_unreadable_moment_names_the_option():
    with pytest.raises(django.core.management.CommandError, match=r"--now: '2026-02-30'"):
        django.core.management.call_command("tandem_tick", now="2026-02-30")


@pytest.mark.django_db
def test_the_workers_tick_prints_nothing(monkeypatch, capsys):
    """A live check: every tick of ``tandem worker`` printed its 16 jobs' counts, mostly 0, to
    the worker's log (and, under ``tandem run``, to the terminal showing the demo logins) once a
    minute; ``tandem manage tandem_tick`` run by hand or cron still lists them."""
    stop = threading.Event()
    real = django.core.management.call_command

    def tick(name, **options):
        stop.set()
        return real(name, **options)

    monkeypatch.setattr(django.core.management, "call_command", tick)
    monkeypatch.setattr(
        "tandem.notify.management.commands.tandem_tick.run_periodic_jobs",
        lambda moment: {"a.job": 0},
    )
    cli.tick_forever(0.01, stop)
    assert capsys.readouterr().out == ""
    real("tandem_tick")
    assert capsys.readouterr().out == "a.job: 0\n"
