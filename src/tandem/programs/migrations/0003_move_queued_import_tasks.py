"""Point queued import tasks at the modules the import's tasks moved to.

The database task backend stores each task's dotted path and imports it when a worker picks
the task up, so a task queued before the import moved into ``tandem.programs.imports`` would
fail to load. Every stored row is rewritten (finished ones too, so their admin page still
finds the task). The paths are plain strings: this migration imports no live code.
Reversible: back to the old paths.
"""

from django.db import migrations

MOVED = {
    "tandem.programs.tasks.import_check_task": "tandem.programs.imports.tasks.import_check_task",
    "tandem.programs.tasks.import_apply_task": "tandem.programs.imports.tasks.import_apply_task",
    "tandem.programs.tasks.import_invitations_send_task": (
        "tandem.programs.imports.emails.import_invitations_send_task"
    ),
}


def _rename(apps, paths: dict[str, str]) -> None:
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    for old, new in paths.items():
        results.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    _rename(apps, MOVED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_import_tasks_and_invitations"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
