"""Inserting and updating many rows cheaply, for the write of a large participant import.

``QuerySet.bulk_create`` spends 20-100 µs of Python per object (building a model instance, then
preparing every field of it for the database and assembling the SQL); for the ~200,000 rows a
26,000-person file creates (accounts, profiles, availability, skills, invitations) that was most
of the write, and on SQLite the whole write holds the database's one write lock. ``bulk_insert``
takes plain values, prepares only the columns whose database form differs from the Python value
(JSON, dates and times), fills every column not given with its default once, and sends the rows
with ``COPY`` on PostgreSQL, or one ``executemany`` (one prepared statement) per chunk on SQLite.

``bulk_update`` does the same for ``QuerySet.bulk_update``, which builds one ``CASE WHEN`` per
field and row (17 s of Python for 26,000 profiles): one ``UPDATE ... WHERE pk = %s`` sent with
``executemany``.

Like ``bulk_create`` they send no signals and call no ``save()``. ``bulk_insert_ids`` also
returns the new primary keys by a unique key, read back in one range query on the primary key
(ids are handed out in increasing order: on SQLite under the write lock, on PostgreSQL by the
table's sequence) and, should any be missing from that range, by the key itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

CHUNK = 2000
# Values of these field types go to both drivers as they are (str, int, bool, None).
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
# Callable defaults that always give the same (empty) value, so one call serves every row.
_CONSTANT_DEFAULTS = (dict, list, str)


def _default(field: models.Field, now) -> Any:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return field.get_db_prep_save(now, connection)
    if field.has_default() and callable(field.default) and field.default not in _CONSTANT_DEFAULTS:
        raise ValueError(f"bulk_insert: give {field.model.__name__}.{field.name} for every row")
    return field.get_db_prep_save(field.get_default(), connection)


def column_fields(model: type[models.Model], names: Iterable[str]) -> list[models.Field[Any, Any]]:
    """The fields ``names`` (attnames) of ``model``, each a column of its table."""
    fields = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"bulk: {model.__name__}.{name} is not a column")
        fields.append(field)
    return fields


def _column(field: models.Field[Any, Any]) -> str:
    if field.column is None:
        raise ValueError(f"bulk: {field.name} is not a column")
    return field.column


def _preparer(field: models.Field):
    if isinstance(field, models.JSONField) and field.encoder is None:
        return lambda value: connection.ops.adapt_json_value(value, None)  # what Django does
    if isinstance(field, models.ForeignKey):
        as_is = isinstance(field.target_field, models.IntegerField)  # an integer id
    else:
        as_is = isinstance(field, _AS_IS)
    if as_is:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def bulk_insert(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Iterable[Sequence],
    same: Mapping[str, Any] | None = None,
) -> int:
    """Insert ``rows`` (tuples of the values of ``fields``, named by attname such as
    ``user_id``) into ``model``'s table, each with the values of ``same`` (one value for every
    row, prepared once); every other column gets its default (``auto_now`` and
    ``auto_now_add`` columns: now). Returns how many rows were inserted.

    The auto primary key is left to the database. A field with a per-row callable default
    (``timezone.now``, ``uuid4``) must be given, else ``ValueError``.
    """
    meta = model._meta
    same = same or {}
    given = column_fields(model, fields)
    shared = column_fields(model, same)  # attnames, as in ``fields``
    named = {field.column for field in (*given, *shared)}
    now = timezone.now()
    rest = [
        field
        for field in meta.concrete_fields
        if field.column not in named and not field.primary_key
    ]
    constants = (
        *(field.get_db_prep_save(same[field.attname], connection) for field in shared),
        *(_default(field, now) for field in rest),
    )
    rest = [*shared, *rest]
    preparers = [(index, _preparer(field)) for index, field in enumerate(given)]
    preparers = [(index, prepare) for index, prepare in preparers if prepare is not None]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in (*given, *rest))
    table = quote(meta.db_table)
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: a few times faster than executemany
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in iterator:
                    copy.write_row((*_prepared(row, preparers), *constants))
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        while chunk := list(islice(iterator, CHUNK)):
            cursor.executemany(sql, [(*_prepared(row, preparers), *constants) for row in chunk])
            count += len(chunk)
    return count


def _prepared(row: Sequence, preparers) -> Sequence:
    if not preparers:
        return row
    values = list(row)
    for index, prepare in preparers:
        values[index] = prepare(values[index])
    return values


def bulk_insert_ids(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Iterable[Sequence],
    key: str,
    same: Mapping[str, Any] | None = None,
) -> dict:
    """``bulk_insert``, then ``key value -> primary key`` of the rows inserted; ``key`` is one
    of ``fields`` and unique in the table."""
    rows = list(rows)
    if not rows:
        return {}
    index = list(fields).index(key)
    keys = {row[index] for row in rows}
    pk = model._meta.pk.attname
    before = _last_pk(model)
    bulk_insert(model, fields=fields, rows=rows, same=same)
    found = {
        value: id_
        for value, id_ in model._default_manager.filter(**{f"{pk}__gt": before}).values_list(
            key, pk
        )
        if value in keys  # a concurrent insert by someone else may be in the range too
    }
    missing = list(keys - found.keys())
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        found.update(model._default_manager.filter(**{f"{key}__in": chunk}).values_list(key, pk))
    return found


def _last_pk(model: type[models.Model]) -> int:
    return model._default_manager.aggregate(last=Max(model._meta.pk.attname))["last"] or 0


def bulk_update(
    model: type[models.Model], *, fields: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Set ``fields`` (attnames) of each row given as ``(pk, *values)``; returns how many rows
    were sent. Like ``QuerySet.bulk_update``, ``auto_now`` fields change only when given."""
    meta = model._meta
    given = column_fields(model, fields)
    preparers = [(index, _preparer(field)) for index, field in enumerate(given)]
    preparers = [(index, prepare) for index, prepare in preparers if prepare is not None]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(_column(field))} = %s" for field in given)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(_column(meta.pk))} = %s"
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, CHUNK)):
            cursor.executemany(sql, [(*_prepared(row[1:], preparers), row[0]) for row in chunk])
            count += len(chunk)
    return count


def bulk_update_loaded(model: type[models.Model], objects: list, fields: Iterable[str]) -> int:
    """``bulk_update`` of loaded ``objects``: write ``fields`` with their current values."""
    attnames = [field.attname for field in column_fields(model, fields)]
    return bulk_update(
        model,
        fields=attnames,
        rows=[(obj.pk, *(getattr(obj, name) for name in attnames)) for obj in objects],
    )


def chunked(values: Iterable, size: int = CHUNK):
    """``values`` in lists of ``size``: the bound on the rows one query names."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
