"""The check-in and health kinds: whoever gets any email keeps getting the new kinds by email
too (as someone who never saved does); whoever turned every email off stays that way."""

from django.db import migrations

NEW_KINDS = ["checkin_due", "checkin_divergence", "health_nudge", "health_alert"]


def add_new_kinds(apps, schema_editor):
    NotificationPreference = apps.get_model("notify", "NotificationPreference")
    for preference in NotificationPreference.objects.iterator():
        kinds = list(preference.email_kinds or [])
        if kinds:
            kinds += [kind for kind in NEW_KINDS if kind not in kinds]
            NotificationPreference.objects.filter(pk=preference.pk).update(email_kinds=kinds)


def remove_new_kinds(apps, schema_editor):
    NotificationPreference = apps.get_model("notify", "NotificationPreference")
    for preference in NotificationPreference.objects.iterator():
        kinds = [kind for kind in preference.email_kinds or [] if kind not in NEW_KINDS]
        NotificationPreference.objects.filter(pk=preference.pk).update(email_kinds=kinds)


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_quiet_hours_and_message_kinds")]

    operations = [migrations.RunPython(add_new_kinds, remove_new_kinds)]
