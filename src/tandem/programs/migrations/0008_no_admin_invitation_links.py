"""Invitation links invite mentees and mentors only.

A link made for the admin role let anyone who opened it become an active program admin
(admins are invited by e-mail from the participants page). The links already made for admins
and not revoked are revoked here; ``invitation_problem`` refuses any still found, too.
"""

from django.db import migrations, models
from django.utils import timezone


def forwards(apps, schema_editor):
    Invitation = apps.get_model("programs", "Invitation")
    Invitation.objects.filter(role="admin", revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0007_import_problem_rows_and_invitation_sending"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="role",
            field=models.CharField(
                choices=[("mentee", "Mentee"), ("mentor", "Mentor")], max_length=8
            ),
        ),
    ]
