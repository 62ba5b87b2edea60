"""Explicit row locks for the ``access_*`` helpers (STYLE.md section 3)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from tandem.core.exceptions import Repeated

LOCK_OUTSIDE_TRANSACTION = "for_update=True must be called inside transaction.atomic()."


def lockable(qs: QuerySet, *, for_update: bool) -> QuerySet:
    """Lock the fetched row only when asked, and only inside a transaction.

    PostgreSQL refuses ``SELECT ... FOR UPDATE`` outside one (SQLite ignores it), so the check
    is ours: a path that would lock outside ``transaction.atomic`` fails on every database.

    The lock is ``FOR NO KEY UPDATE`` (what PostgreSQL takes for an ``UPDATE`` itself): it
    serialises the writers of the row as ``FOR UPDATE`` does, but never blocks adding a row
    that points at it (an event or a meeting on a locked mentorship takes a key-share lock on
    the mentorship). With ``FOR UPDATE``, ending a mentorship (mentorship, then its meetings)
    deadlocked with anything that locked one of its meetings and then wrote an event.
    """
    if not for_update:
        return qs
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(LOCK_OUTSIDE_TRANSACTION)
    return qs.select_for_update(of=("self",), no_key=True)


def refuse_repeat(same: QuerySet, *, message: str, url: str) -> None:
    """Refuse a request whose result ``same`` already holds (``Repeated``: the API's 409, a
    page's note on ``url``): a double click or a retry of an add. Call it holding the lock of
    the row the new one will belong to (the mentorship of a goal, the goal of a milestone), so
    two requests at once take turns and the second finds the first's row.

    ``same`` is what a person would call the same thing while it is still current (an open
    goal with that title, an unresolved report with that text): once it is done or resolved,
    an identical one is a new one."""
    if same.exists():
        raise Repeated(message, url=url)
