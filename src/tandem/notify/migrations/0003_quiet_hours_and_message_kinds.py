"""Quiet hours, and the kinds that arrived after people saved their preferences: whoever gets
any email keeps getting the new kinds by email too (as someone who never saved does); whoever
turned every email off stays that way."""

from django.db import migrations, models

NEW_KINDS = ["waitlist_admitted", "message_unread", "message_reported"]


def add_new_kinds(apps, schema_editor):
    NotificationPreference = apps.get_model("notify", "NotificationPreference")
    for preference in NotificationPreference.objects.iterator():
        kinds = list(preference.email_kinds or [])
        if not kinds:
            continue
        kinds += [kind for kind in NEW_KINDS if kind not in kinds]
        NotificationPreference.objects.filter(pk=preference.pk).update(email_kinds=kinds)


def remove_new_kinds(apps, schema_editor):
    NotificationPreference = apps.get_model("notify", "NotificationPreference")
    for preference in NotificationPreference.objects.iterator():
        kinds = [kind for kind in preference.email_kinds or [] if kind not in NEW_KINDS]
        NotificationPreference.objects.filter(pk=preference.pk).update(email_kinds=kinds)


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_email_admins_new_kinds")]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="quiet_from",
            field=models.TimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="quiet_until",
            field=models.TimeField(blank=True, null=True),
        ),
        migrations.RunPython(add_new_kinds, remove_new_kinds),
    ]
