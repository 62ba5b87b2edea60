"""``migrate`` makes the database cache's table (core 0001): a deployment that ran
``createcachetable`` with ``REDIS_URL`` set got no table, and after dropping ``REDIS_URL``
every log-in was a 500 until someone ran it again (a deployment's check)."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.migrating import newest_after
from tests.people.factories import PASSWORD, UserFactory

cache_table = importlib.import_module("tandem.core.migrations.0001_cache_table")


def test_the_migration_makes_the_table_the_fallback_cache_uses():
    assert django_settings.CACHES["default"]["LOCATION"] == cache_table.TABLE


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_without_the_table_gets_it_and_log_ins_work(client):
    with newest_after():
        MigrationExecutor(connection).migrate([("core", None)])  # as before this release
        with connection.schema_editor() as editor:
            editor.execute(editor.sql_delete_table % {"table": cache_table.TABLE})
        assert cache_table.TABLE not in connection.introspection.table_names()
    # newest_after migrated again, as `tandem manage migrate` does at the upgrade
    assert cache_table.TABLE in connection.introspection.table_names()
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cache.set("tandem:cache-table-check", 1)
    assert cache.get("tandem:cache-table-check") == 1
