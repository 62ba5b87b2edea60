"""Point queued match-run tasks at the app match runs moved to.

The database task backend stores each task's dotted path and imports it when a worker picks
the task up, so a run queued before match runs left ``tandem.programs`` for their own app
would fail to load. Every stored row is rewritten (finished ones too, so their admin page
still finds the task). The paths are plain strings: this migration imports no live code.
Reversible: back to the old path.
"""

from django.db import migrations

MOVED = {"tandem.programs.matchruns.tasks.match_run_task": "tandem.matchruns.tasks.match_run_task"}


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
        ("matchruns", "0003_reasons_with_criterion"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
