"""Remove the identity copies saved runs held, and coarsen their stored group figures.

Before this, a run's ``inputs`` kept each person's identity and preference (so withdrawing
identity left copies), and its ``report`` kept exact group counts, a count of hidden groups
and figures computed on identity-weighted scores. Group rows are rewritten with the one rule,
``tandem.matching.report.public_group_rows``. Not reversible: the copies are gone.
"""

from django.db import migrations

IDENTITY_FIELDS = ("identity", "prefer_shared_identity")
DROPPED = ("suppressed_groups", "upper_bound", "gap", "relative_gap", "blocking_pairs", "bound")


def _rows(groups) -> list[dict]:
    from tandem.matching.report import public_group_rows

    counts = {}
    for row in groups or ():
        size = int(row.get("size", 0))
        matched = row.get("matched")
        if matched is None:  # already public: the exact count is unknown, keep the row as is
            return list(groups)
        counts[str(row["label"])] = (size, int(matched))
    return [
        {"label": label, "size": g["size"], "rate": g["match_rate"]}
        for label, g in public_group_rows(counts).items()
    ]


def forget(apps, schema_editor):
    MatchRun = apps.get_model("matchruns", "MatchRun")
    for run in MatchRun.objects.only("pk", "inputs", "report").iterator(chunk_size=100):
        inputs = run.inputs or {}
        for side in ("mentees", "mentors"):
            for record in inputs.get(side, ()):
                for key in IDENTITY_FIELDS:
                    record.pop(key, None)
        report = run.report or {}
        for key in DROPPED:
            report.pop(key, None)
        if "groups" in report:
            report["groups"] = _rows(report["groups"])
        MatchRun.objects.filter(pk=run.pk).update(inputs=inputs, report=report)


class Migration(migrations.Migration):
    dependencies = [("matchruns", "0001_initial")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
