"""The kinds for program admins arrived after people saved their preferences: whoever gets any
email keeps getting the new kinds by email too (new kinds are on by default, as for someone
who never saved); whoever turned every email off stays that way."""

from django.db import migrations

ADMIN_KINDS = ["join_pending", "match_run", "ended_early", "problem_reported"]


def add_admin_kinds(apps, schema_editor):
    NotificationPreference = apps.get_model("notify", "NotificationPreference")
    for preference in NotificationPreference.objects.iterator():
        kinds = list(preference.email_kinds or [])
        if not kinds:
            continue
        kinds += [kind for kind in ADMIN_KINDS if kind not in kinds]
        NotificationPreference.objects.filter(pk=preference.pk).update(email_kinds=kinds)


def remove_admin_kinds(apps, schema_editor):
    NotificationPreference = apps.get_model("notify", "NotificationPreference")
    for preference in NotificationPreference.objects.iterator():
        kinds = [kind for kind in preference.email_kinds or [] if kind not in ADMIN_KINDS]
        NotificationPreference.objects.filter(pk=preference.pk).update(email_kinds=kinds)


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(add_admin_kinds, remove_admin_kinds)]
