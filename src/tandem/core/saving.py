"""Saving a row only when something in it changed.

A form opened and saved untouched must change nothing (DESIGN.md), not even an ``auto_now``
``updated_at``: a plain ``save()`` writes every column and moves it. Services that save what a
form sent take a snapshot of the row before applying it (``field_values``) and write with
``save_changed``, which writes only the columns whose value differs (with the model's
``auto_now`` columns), or nothing at all.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.db import models


def _auto_now_names(instance: models.Model) -> list[str]:
    return [
        field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)
    ]


def field_values(instance: models.Model) -> dict[str, Any]:
    """The row's stored columns as ``{attname: value}`` (foreign keys as ids), without the
    ``auto_now`` columns that saving sets by itself. Copied deeply: a JSON list changed in
    place afterwards still compares as changed."""
    skipped = set(_auto_now_names(instance))
    return {
        field.attname: copy.deepcopy(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in skipped and not field.primary_key
    }


def save_changed(
    instance: models.Model, before: Mapping[str, Any], *, related_changed: bool = False
) -> list[str]:
    """Write the columns of ``instance`` that differ from ``before`` (a ``field_values``
    snapshot), with its ``auto_now`` columns; write nothing when none differs, unless
    ``related_changed`` (rows that belong to it changed: its many-to-many, its children), which
    stamps the ``auto_now`` columns anyway. Returns the attnames of the columns that changed."""
    changed = [name for name, value in field_values(instance).items() if before[name] != value]
    if changed or related_changed:
        instance.save(update_fields=[*changed, *_auto_now_names(instance)])
    return changed


def model_update(instance: models.Model, values: Mapping[str, Any]) -> list[str]:
    """Set ``values`` (attnames) on ``instance`` and ``save_changed`` it."""
    before = field_values(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    return save_changed(instance, before)
