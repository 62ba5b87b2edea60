"""Programs no longer weigh identity: Tandem's match runs never use it (docs/matching.md,
"Identity and privacy"). The ``identity`` weight each program stored is removed, so no page or
API answer shows a setting that does nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for program in Program.objects.filter(weights__has_key="identity").only("pk", "weights"):
        program.weights.pop("identity", None)
        program.save(update_fields=["weights"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0009_enrolment_left"),  # committed first (facct): one leaf
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
