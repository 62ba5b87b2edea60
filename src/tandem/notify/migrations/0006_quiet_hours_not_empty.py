"""Quiet hours that end when they start (00:00 to 00:00) meant none: store them as none, then
refuse them in the database as the service and the form do."""

from django.db import migrations, models


def empty_quiet_hours_to_none(apps, schema_editor):
    preference = apps.get_model("notify", "NotificationPreference")
    preference.objects.filter(quiet_from=models.F("quiet_until")).update(
        quiet_from=None, quiet_until=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0005_notification_topic"),
    ]

    operations = [
        migrations.RunPython(empty_quiet_hours_to_none, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.CheckConstraint(
                condition=models.Q(("quiet_from", models.F("quiet_until")), _negated=True),
                name="notify_quiet_hours_not_empty",
            ),
        ),
    ]
