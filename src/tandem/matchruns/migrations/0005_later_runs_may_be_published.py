"""A program may publish a later run for the people still waiting; an out-of-date run (made
before another was published) is refused under the program's row lock instead."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("matchruns", "0004_move_queued_match_run_tasks"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="matchrun",
            name="one_published_run_per_program",
        ),
    ]
