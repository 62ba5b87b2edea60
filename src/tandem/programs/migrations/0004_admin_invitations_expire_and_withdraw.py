"""Invitations to become a program admin expire and can be withdrawn.

Adds ``expires_at`` and ``withdrawn_at``. An admin invitation still waiting for an answer gets
14 days from when it was last sent (the constant ``ADMIN_INVITATION_DAYS`` at the time of
writing, copied here so the migration imports no live code); import invitations keep no
expiry. Reversible: the columns go away.
"""

from datetime import timedelta

from django.db import migrations, models

DAYS = 14


def forwards(apps, schema_editor):
    invitations = apps.get_model("programs", "ParticipantInvitation").objects
    waiting = invitations.filter(role="admin", accepted_at=None, declined_at=None)
    for invitation in waiting.only("pk", "created_at"):
        invitation.expires_at = invitation.created_at + timedelta(days=DAYS)
        invitation.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_move_queued_import_tasks"),
    ]

    operations = [
        migrations.AddField(
            model_name="participantinvitation",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="participantinvitation",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
