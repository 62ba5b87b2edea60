import pytest

from tests.programs.factories import ProgramFactory, admin_of


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def admin(program):
    return admin_of(program)
