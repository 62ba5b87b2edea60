import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every demo account gets a hashed password; the fast hasher keeps the loads quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
