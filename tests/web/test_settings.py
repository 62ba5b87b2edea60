"""Settings: SQLite in WAL mode; no key from the repository; production passes check --deploy."""

import os
import secrets
import subprocess
import sys

import dj_database_url
import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from tandem import settings as tandem_settings
from tandem.core.startup import SECRET_KEY_MISSING


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


# --- issue 8: no key from the repository; production settings pass `check --deploy` --------
# The production settings the README's Configuration table documents.
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "tandem.example.org",
    "SITE_URL": "https://tandem.example.org",
    "TANDEM_HTTPS": "true",
    "TANDEM_HSTS_PRELOAD": "true",
}


def run_python(code_or_args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    # The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment has not.
    harness = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in harness}
    clean.update(TANDEM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tandem.settings", **env)
    return subprocess.run(
        [sys.executable, *code_or_args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_asgi_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(["-c", "import tandem.asgi"], tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert SECRET_KEY_MISSING in result.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "8104"], ["worker"]])
def test_server_and_worker_refuse_without_a_secret_key(tmp_path, command):
    result = run_python(["-m", "tandem.cli", *command], tmp_path)
    assert result.returncode == 2
    assert SECRET_KEY_MISSING in result.stderr


def test_debug_without_a_key_uses_a_throwaway_one(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    first = run_python(["-c", code], tmp_path, DEBUG="true").stdout.strip()
    second = run_python(["-c", code], tmp_path, DEBUG="true").stdout.strip()
    assert len(first) >= 50 and first != second


def test_check_deploy_is_clean_for_the_documented_production_settings(tmp_path):
    check = ["-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    key = secrets.token_urlsafe(50)
    result = run_python(check, tmp_path, SECRET_KEY=key, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    # HSTS and the HTTPS redirect are what TANDEM_HTTPS turns on; without it the check says so.
    plain = run_python(check, tmp_path, SECRET_KEY=key, DEBUG="false")
    assert "security.W004" in plain.stderr and "security.W008" in plain.stderr


def test_https_settings_can_be_tuned(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = run_python(
        ["-c", code],
        tmp_path,
        SECRET_KEY="x" * 50,
        TANDEM_HTTPS="true",
        TANDEM_SSL_REDIRECT="false",
        TANDEM_HSTS_SECONDS="600",
        TANDEM_HSTS_INCLUDE_SUBDOMAINS="false",
    )
    assert result.stdout.split() == ["False", "600", "False"], result.stderr
