"""Deleting an account takes its address out of the background jobs kept in the database
(docs/people.md, *Deleting your account*). A password-reset request is a job whose argument is
the address typed and whose result is how many accounts it reached; with the database backend
both stay in its row after it ran, which site staff read in the Django admin: a live privacy
review found a deleted person's address there, beside a 1 that said it had an account."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from tandem.people.services.closing import account_delete
from tandem.people.tasks import password_reset_send
from tests.people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def jobs_kept_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _addresses() -> list[str]:
    return sorted(row.args_kwargs["args"][0] for row in DBTaskResult.objects.all())


def test_deleting_an_account_erases_the_reset_requests_for_its_address():
    gone = UserFactory(email="sofia.silva@example.test")
    stays = UserFactory(email="thandiwe@example.test")
    for typed in ("sofia.silva@example.test", " Sofia.Silva@Example.TEST", stays.email):
        password_reset_send.enqueue(typed)
    password_reset_send.enqueue("nobody@example.test")
    account_delete(user=gone, password=PASSWORD)
    assert _addresses() == ["nobody@example.test", "thandiwe@example.test"]
