"""Programs say whether mentees may send requests directly in admin-run cohort matching.

Adds ``Program.allow_direct_requests``. Existing programs get True: before this, mentees could
send requests in every program, cohort ones too, and they keep doing so until an admin turns it
off. New programs get the model default, False (self-serve programs ignore it).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_admin_invitations_expire_and_withdraw"),
    ]

    # Existing programs keep today's behaviour (mentees could always send requests, cohort
    # programs too): they get True. New programs get the model's default, False.
    operations = [
        migrations.AddField(
            model_name="program",
            name="allow_direct_requests",
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name="program",
            name="allow_direct_requests",
            field=models.BooleanField(
                default=False,
                help_text="Cohort programs only: mentees may also send requests to mentors "
                "directly (self-serve programs always allow them).",
            ),
        ),
    ]
