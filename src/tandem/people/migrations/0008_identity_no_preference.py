"""The identity record's "prefer a mentor who shares my background" answer is removed with the
column: Tandem's match runs no longer use identity at all (docs/matching.md, "Identity and
privacy": any effect of identity on the pairs a program admin sees and re-runs at will let them
read who holds which item). Going back adds the column again, unticked for everyone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_skill_slugs_normalised"),
    ]

    operations = [
        migrations.RemoveField(model_name="identity", name="prefer_shared"),
    ]
