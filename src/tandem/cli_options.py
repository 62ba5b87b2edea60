"""The types of the ``tandem`` command's numeric options, and the one line it prints for a
failure it foresees (:func:`foreseen_problem`).

They refuse, as usage errors (exit status 2) before anything runs, the numbers that used to
get through: a port out of range reached uvicorn after the migrations and ended in a
traceback, ``--workers 0`` served with one, a ``--tick-seconds`` of 0 or less ran the
periodic jobs in a busy loop and a negative ``--people`` was a traceback (I/O review).
"""

from __future__ import annotations

import argparse
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
