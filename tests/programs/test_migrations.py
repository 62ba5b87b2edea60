"""The data migration that points queued import tasks at their new modules (0003)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tandem.programs.migrations.0003_move_queued_import_tasks")


def queued(task_path: str) -> DBTaskResult:
    """A task row as the database backend stores it when a task is enqueued."""
    return DBTaskResult.objects.create(
        task_path=task_path,
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


@pytest.mark.parametrize(("old", "new"), migration.MOVED.items())
def test_a_task_queued_before_the_move_loads_after_it_and_goes_back(old, new):
    row, other = queued(old), queued("tandem.people.tasks.password_reset_send")
    migration.forwards(django_apps, None)
    row.refresh_from_db()
    assert row.task_path == new
    assert isinstance(import_string(row.task_path), Task)
    migration.backwards(django_apps, None)
    row.refresh_from_db()
    other.refresh_from_db()
    assert (row.task_path, other.task_path) == (old, "tandem.people.tasks.password_reset_send")
