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


left_migration = importlib.import_module("tandem.programs.migrations.0009_enrolment_left")


def test_reversing_enrolment_left_leaves_only_statuses_the_older_code_knows():
    """Leftovers review 4: reversing 0009_enrolment_left kept enrolments in ``left``, a status
    the code before it cannot read. They become ``removed``, the closed status it knows."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    from tandem.programs.models import Enrolment, EnrolmentStatus
    from tests.programs.factories import EnrolmentFactory

    statuses = [EnrolmentStatus.LEFT, EnrolmentStatus.ACTIVE, EnrolmentStatus.REMOVED]
    rows = [EnrolmentFactory(status=status) for status in statuses]
    left_migration.backwards(django_apps, None)
    after = [Enrolment.objects.get(pk=row.pk).status for row in rows]
    assert after == [EnrolmentStatus.REMOVED, EnrolmentStatus.ACTIVE, EnrolmentStatus.REMOVED]
    before = MigrationLoader(connection).project_state(
        ("programs", "0008_no_admin_invitation_links")
    )
    known = {value for value, _ in before.models["programs", "enrolment"].fields["status"].choices}
    assert set(Enrolment.objects.values_list("status", flat=True)) <= known
    # And reversing the migration runs it.
    steps = [op for op in left_migration.Migration.operations if isinstance(op, RunPython)]
    assert [step.reverse_code for step in steps] == [left_migration.backwards]
