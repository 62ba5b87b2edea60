from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill_last_message_id(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    Message = apps.get_model("messaging", "Message")
    newest = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .values("conversation")
        .annotate(newest=Max("pk"))
        .values("newest")
    )
    Conversation.objects.filter(pk__in=Message.objects.values("conversation")).update(
        last_message_id=Subquery(newest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="last_message_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_last_message_id, migrations.RunPython.noop),
    ]
