"""Explicit row locks for the ``access_*`` helpers (STYLE.md section 3)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

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
