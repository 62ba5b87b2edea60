import pytest

from tests.programs.factories import ProgramFactory, admin_of, cast_of


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Import tasks run when enqueued (on commit; tests run the callbacks, see test_import)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def admin(program):
    return admin_of(program)


@pytest.fixture
def cast(program):
    return cast_of(program)
