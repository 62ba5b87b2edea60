"""Finished background jobs leave the database after ``FINISHED_JOBS_KEPT`` (docs/people.md):
the database backend keeps each job's arguments and result for good otherwise, so a password
reset asked for an address with no account stayed readable to site staff, with the 0 that said
so, forever (live privacy review: nothing pruned them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tandem.notify.periodic import registered_jobs
from tandem.notify.tasks import FINISHED_JOBS_KEPT, finished_jobs_prune
from tandem.people.tasks import password_reset_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def jobs_kept_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _job(address: str, *, status: str, finished_ago: timedelta | None) -> DBTaskResult:
    job = DBTaskResult.objects.get(pk=password_reset_send.enqueue(address).id)
    job.status = status
    job.finished_at = None if finished_ago is None else timezone.now() - finished_ago
    job.save(update_fields=["status", "finished_at"])
    return job


def test_jobs_finished_long_enough_ago_are_deleted_whatever_their_outcome():
    a_while = FINISHED_JOBS_KEPT + timedelta(minutes=1)
    _job("old-sent@example.test", status=TaskResultStatus.SUCCESSFUL, finished_ago=a_while)
    _job("old-failed@example.test", status=TaskResultStatus.FAILED, finished_ago=a_while)
    _job("recent@example.test", status=TaskResultStatus.SUCCESSFUL, finished_ago=timedelta(hours=1))
    _job("queued@example.test", status=TaskResultStatus.READY, finished_ago=None)
    _job("running@example.test", status=TaskResultStatus.RUNNING, finished_ago=None)

    assert finished_jobs_prune(timezone.now()) == 2

    left = sorted(job.args_kwargs["args"][0] for job in DBTaskResult.objects.all())
    assert left == ["queued@example.test", "recent@example.test", "running@example.test"]


def test_the_worker_tick_prunes_them():
    assert registered_jobs()["notify.prune_finished_jobs"] is finished_jobs_prune
