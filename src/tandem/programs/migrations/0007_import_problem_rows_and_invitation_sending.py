from django.db import migrations, models
from django.db.models import F, Q


def mark_existing_sent(apps, schema_editor):
    """Every invitation made before this migration had its email queued when it was made:
    record it as sent then, so the periodic job never sends it a second time."""
    invitation = apps.get_model("programs", "ParticipantInvitation")
    invitation.objects.update(sent_at=F("created_at"), send_after=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0006_program_limits_and_waitlist"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="problem_rows",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.AddField(
            model_name="participantinvitation",
            name="send_after",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="participantinvitation",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="participantinvitation",
            index=models.Index(
                condition=Q(sent_at__isnull=True, withdrawn_at__isnull=True),
                fields=["send_after"],
                name="invitation_due_to_send",
            ),
        ),
        migrations.RunPython(mark_existing_sent, migrations.RunPython.noop),
    ]
