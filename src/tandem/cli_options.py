"""The types of the ``tandem`` command's numeric options, and the one line it prints for a
failure it foresees (:func:`foreseen_problem`).

They refuse, as usage errors (exit status 2) before anything runs, the numbers that used to
get through: a port out of range reached uvicorn after the migrations and ended in a
traceback, ``--workers 0`` served with one, a ``--tick-seconds`` of 0 or less ran the
periodic jobs in a busy loop and a negative ``--people`` was a traceback (I/O review).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

DATABASE_UNREACHABLE = (
    "cannot use the database ({error}). Check DATABASE_URL and that the database server is "
    "running and reachable."
)
DATABASE_URL_UNKNOWN = (
    "DATABASE_URL is not usable: {error}; Tandem runs on postgres://… or sqlite:///…"
)
BAD_PORT = "expected a port from 1 to 65535, got {value!r}"
BAD_COUNT = "expected a whole number >= {least}, got {value!r}"
BAD_SECONDS = "expected a number of seconds > 0, got {value!r}"
LIVE_NEEDS_REDIS = (
    "--workers {workers} needs REDIS_URL: without it each server process has a channel layer of "
    "its own, and a message or notice reaches only the pages connected to the process that sent "
    "it. Set REDIS_URL, or serve with --workers 1."
)


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(BAD_PORT.format(value=text))
    return port


def whole_number(least: int) -> Callable[[str], int]:
    """An option's type: a whole number no smaller than ``least``."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = least - 1
        if number < least:
            raise argparse.ArgumentTypeError(BAD_COUNT.format(least=least, value=text))
        return number

    return parse


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(BAD_SECONDS.format(value=text))
    return value


def workers_for(requested: int | None) -> int | None:
    """The server processes ``tandem serve`` starts: 2 by default, 1 without ``REDIS_URL``; None
    (after saying why on stderr) for more than one without it. Two processes each on its own
    in-memory channel layer split the live events between them: a deployment's live check saw
    a partner's sockets on the other process miss every message (the default was 2 anyway)."""
    from django.conf import settings

    shared = bool(settings.REDIS_URL)
    if requested is None:
        return 2 if shared else 1
    if requested > 1 and not shared:
        print(f"tandem serve: {LIVE_NEEDS_REDIS.format(workers=requested)}", file=sys.stderr)
        return None
    return requested


def foreseen_problem(error: Exception) -> str | None:
    """What to tell the operator, in one line, for an error the command foresees, or None.

    A database that is down or unreachable, or a ``DATABASE_URL`` of an unknown kind, ended
    ``tandem run``, ``demo``, ``worker`` and ``manage`` in a screenful of traceback (after a
    20-second wait for a connection; I/O review). The URL itself is never printed: it may
    hold a password.
    """
    from dj_database_url import UnknownSchemeError
    from django.db.utils import OperationalError

    if isinstance(error, OperationalError):
        first_line = (str(error).strip().splitlines() or ["no reason given"])[0]
        return DATABASE_UNREACHABLE.format(error=first_line)
    if isinstance(error, UnknownSchemeError):
        return DATABASE_URL_UNKNOWN.format(error=str(error).split(".")[0])
    return None
