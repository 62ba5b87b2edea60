"""Case-insensitive text search that folds every letter on both databases.

SQLite's ``LIKE`` (Django's ``icontains``) and ``LOWER`` fold ASCII letters only, so on SQLite
"MARTÍNEZ" never found "Martínez" while PostgreSQL found it. :func:`contains_folded` compares
the lower-cased column with the lower-cased term: PostgreSQL's ``LOWER`` folds every letter,
and on SQLite each connection gets ``tandem_lower`` (Python's ``str.lower``), registered by
:func:`register_sqlite_functions`. Only searches use it: a Python call per row scanned.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Func, Q
from django.db.models.lookups import Contains


class Lowered(Func):
    """The text lower-cased on every letter, not only ASCII."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="tandem_lower", **extra)


def _lower(value: object) -> str | None:
    return None if value is None else str(value).lower()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: SQLite connections learn ``tandem_lower``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("tandem_lower", 1, _lower, deterministic=True)


def contains_folded(term: str, *fields: str) -> Q:
    """Any of ``fields`` contains ``term``, whatever the case of any letter."""
    folded = term.lower()
    found = Q()
    for field in fields:
        found |= Q(Contains(Lowered(F(field)), folded))
    return found
