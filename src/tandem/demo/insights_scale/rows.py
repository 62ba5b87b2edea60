"""Raw bulk inserts for the scale generator: rows as dicts of attribute names, written with
``executemany`` and explicit primary keys.

Millions of rows through ``Model.objects.bulk_create`` spend most of their time building model
instances, and ``auto_now_add`` would stamp every row with the present; a generator of history
needs past ``created_at`` values and the ids up front (to point foreign keys at rows not yet
written). So each table gets its ids from ``first_id`` and its rows from ``insert``; on
PostgreSQL ``reset_sequences`` moves the id sequences past them afterwards. A benchmark's
setup, never a path users take: no service runs, no notification is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

BATCH = 5000
Row = dict[str, Any]


def _batched(rows: Iterable[Row]) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, BATCH)):
        yield chunk


def first_id(model: type[models.Model]) -> int:
    """The first primary key free after every row the table holds."""
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """How one column's Python value becomes what the driver takes, chosen once per field
    (the per-value ``get_db_prep_save`` costs more than the insert itself)."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
        # SQLite keeps UTC without an offset; the generator's moments are all in UTC
        return lambda value: (
            str(value.replace(tzinfo=None))
            if value.tzinfo is UTC
            else ops.adapt_datetimefield_value(value)
        )
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda value: value


def _default(field: models.Field, now: datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()  # "" for a text column without a default, as Django writes


def insert(model: type[models.Model], rows: Iterable[Row], *, now: datetime) -> int:
    """Write ``rows`` (each with its ``id``, or its primary key's attribute name) into the
    model's table; a column a row leaves out takes the field's default (``now`` for the
    ``auto_now`` stamps). Returns how many rows were written."""
    fields: Sequence[models.Field] = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    plan = [(f.attname, _default(f, now), _converter(f)) for f in fields]
    written = 0
    with connection.cursor() as cursor:
        for chunk in _batched(rows):
            values = [
                tuple(
                    None if (v := row.get(name, default)) is None else convert(v)
                    for name, default, convert in plan
                )
                for row in chunk
            ]
            cursor.executemany(sql, values)
            written += len(values)
    return written


def reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences that explicit ids do not move (SQLite's
    AUTOINCREMENT follows the largest id by itself). Every table's is reset, not a list of
    those written, which went stale once (a table left out made every later save of it fail)."""
    every = apps.get_models(include_auto_created=True)
    statements = connection.ops.sequence_reset_sql(no_style(), every)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
