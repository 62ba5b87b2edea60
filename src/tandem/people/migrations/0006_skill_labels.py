"""Each holder's spelling of a tag: the profile-to-skill links become ``OfferedSkill`` /
``WantedSkill`` rows with a ``label``, set to the shared row's name (what every holder read
until now). New tables, the links copied, then the old link tables dropped: Django cannot add
``through`` to an existing many-to-many field in place."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

SIDES = (("skills_offered", "OfferedSkill"), ("skills_wanted", "WantedSkill"))
BATCH = 5000


def copy_links(apps, schema_editor):
    Profile = apps.get_model("people", "Profile")
    for field, model_name in SIDES:
        old = getattr(Profile, field).through
        new = apps.get_model("people", model_name)
        links = old.objects.order_by("pk").values_list(
            "profile_id", "skill_id", "skill__name", "skill__slug"
        )
        batch = []
        for profile_id, skill_id, name, slug in links.iterator(chunk_size=BATCH):
            batch.append(new(profile_id=profile_id, skill_id=skill_id, label=name or slug))
            if len(batch) == BATCH:
                new.objects.bulk_create(batch)
                batch = []
        new.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    """Reversing keeps the links (each holder's spelling is lost: the rows have one name)."""
    Profile = apps.get_model("people", "Profile")
    for field, model_name in SIDES:
        old = getattr(Profile, field).through
        rows = apps.get_model("people", model_name).objects.values_list("profile_id", "skill_id")
        old.objects.bulk_create(
            [old(profile_id=p, skill_id=s) for p, s in rows.iterator(chunk_size=BATCH)],
            batch_size=BATCH,
        )


def holding(name: str, side: str) -> migrations.CreateModel:
    return migrations.CreateModel(
        name=name,
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("label", models.CharField(max_length=80)),
            (
                "profile",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name=f"{side}_tags",
                    to="people.profile",
                ),
            ),
            (
                "skill",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="people.skill",
                ),
            ),
        ],
        options={
            "constraints": [
                models.UniqueConstraint(fields=("profile", "skill"), name=f"{side}_skill_once"),
                models.CheckConstraint(condition=~Q(label=""), name=f"{side}_skill_spelled"),
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_skill_curated"),
    ]

    operations = [
        holding("OfferedSkill", "offered"),
        holding("WantedSkill", "wanted"),
        migrations.RunPython(copy_links, copy_back, elidable=False),
        migrations.RemoveField(model_name="profile", name="skills_offered"),
        migrations.RemoveField(model_name="profile", name="skills_wanted"),
        migrations.AddField(
            model_name="profile",
            name="skills_offered",
            field=models.ManyToManyField(
                blank=True,
                related_name="offered_by",
                through="people.OfferedSkill",
                to="people.skill",
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="skills_wanted",
            field=models.ManyToManyField(
                blank=True,
                related_name="wanted_by",
                through="people.WantedSkill",
                to="people.skill",
            ),
        ),
    ]
