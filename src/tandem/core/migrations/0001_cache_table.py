"""The database cache's table, made by ``migrate`` whatever the cache is now.

Without ``REDIS_URL`` the cache (log-in rate limits, insight locks) lives in this table, which
only ``createcachetable`` made, and only for a cache configured when it ran: a deployment that
ran it with ``REDIS_URL`` set got no table, and once ``REDIS_URL`` was dropped every log-in was
a 500 until someone ran ``createcachetable`` (a deployment's check). Every migrated database
now has it, so either cache works from the first request.
"""

from django.core.management import call_command
from django.db import migrations

# settings.CACHES["default"]["LOCATION"] without REDIS_URL (tests/core/test_cache_table.py).
TABLE = "tandem_cache"


def create_cache_table(apps, schema_editor):
    """``createcachetable`` for the one table: it leaves a table that is already there."""
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
