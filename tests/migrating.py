"""Tests of data migrations take the database back to an old migration; ``newest_after``
brings every app to its newest migration again when they are done, wherever they stopped."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def unapplied() -> list:
    """The migrations the database still lacks (none, as every test expects to find it)."""
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


@contextlib.contextmanager
def newest_after() -> Iterator[Callable[[tuple[str, str]], Apps]]:
    """``migrate(("people", "0005_skill_curated"))`` inside takes the database to that
    migration and returns the models as they were there; on leaving, every app is at its
    newest migration again. A test that left people at 0006 gave every later test the column
    0008 drops (``identity.prefer_shared``, NOT NULL), and saving an identity failed in each
    test that ran after it (tests in random order; in the usual order the migration tests,
    being transactional, run last)."""

    def migrate(target: tuple[str, str]) -> Apps:
        MigrationExecutor(connection).migrate([target])
        return MigrationExecutor(connection).loader.project_state(target).apps

    try:
        yield migrate
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
