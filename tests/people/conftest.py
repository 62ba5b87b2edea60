import pytest

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests that check hashing itself restore it (``argon2``)."""
    assert settings.PASSWORD_HASHERS[0] == ARGON2  # production setting, checked once per test
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", ARGON2]


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = [ARGON2]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background jobs (the password-reset email) run inside the request in these tests."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
