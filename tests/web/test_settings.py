"""The embedded database runs in WAL mode so readers never wait for the writer."""

import dj_database_url
from django.db.backends.sqlite3.base import DatabaseWrapper

from tandem import settings as tandem_settings


def test_sqlite_file_database_uses_write_ahead_log(tmp_path, django_db_blocker):
    config = dj_database_url.parse(f"sqlite:///{tmp_path / 'tandem.sqlite3'}")
    config.update(
        OPTIONS=tandem_settings.DATABASES["default"]["OPTIONS"],
        TIME_ZONE=None,
        CONN_HEALTH_CHECKS=False,
        CONN_MAX_AGE=0,
        AUTOCOMMIT=True,
        ATOMIC_REQUESTS=False,
    )
    wrapper = DatabaseWrapper(config)
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
        finally:
            wrapper.close()
