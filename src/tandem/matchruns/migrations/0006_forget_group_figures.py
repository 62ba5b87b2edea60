"""Remove the per-group rows every stored run report kept (``report["groups"]``).

A run's figures per opt-in group, however coarse, sat next to its named unmatched people on
a cohort the admin steers (forbids, re-runs, pauses), so they told who is in which group.
Runs no longer make them (docs/match-runs.md, "No group figures per run"); this removes the
old copies so nothing can read them. Going back is a no-op: the rows are gone.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    MatchRun = apps.get_model("matchruns", "MatchRun")
    stored = MatchRun.objects.filter(report__has_key="groups").only("pk", "report")
    for run in stored.iterator(chunk_size=500):
        report = dict(run.report)
        report.pop("groups", None)
        MatchRun.objects.filter(pk=run.pk).update(report=report)


class Migration(migrations.Migration):
    dependencies = [("matchruns", "0005_later_runs_may_be_published")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
