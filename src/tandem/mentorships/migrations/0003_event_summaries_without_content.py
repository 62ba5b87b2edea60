"""Take the pair's text out of stored timeline summaries and admin history names.

Summaries used to quote goal titles and action items ("Done: “Draft the abstract”."); events
are listed in the site admin, so each is rewritten in the new content-free form, keeping who
did what. Admin history rows named goals, milestones, action items and agenda items by their
text; they get the new names ("Goal #12"). Not reversible: the text is not kept anywhere.
"""

from django.db import migrations

# The forms in ``tandem.mentorships.services.work`` when this migration was written.
GOAL_ADDED = "{actor} added a goal."
GOAL_PROGRESS = "{actor} updated a goal: {progress}"
ACTION_ITEM_ADDED = "{actor} added an action item for {owner}."
ACTION_ITEM_DONE = "{actor} completed an action item."
# Old summaries, e.g. "Ann added the goal “Speak”.", "“Speak”: in progress, 40%.",
# "Action item for Bo: “Draft”.", "Done: “Draft”.".
OLD_GOAL_ADDED = " added the goal “"
OLD_ACTION_ITEM_FOR = "Action item for "
QUOTE_END = "”: "

CONTENT_NAMES = {
    "goal": "Goal",
    "milestone": "Milestone",
    "actionitem": "Action item",
    "agendaitem": "Agenda item",
}


def _name(user) -> str:
    if user is None:
        return "Someone"
    return f"{user.first_name} {user.last_name}".strip() or user.email


def _progress(summary: str) -> str:
    """"in progress, 40%." from the old summary; the state and percent are not content."""
    _, found, rest = summary.rpartition(QUOTE_END)
    if found and rest.endswith("%.") and "“" not in rest and "”" not in rest:
        return rest
    return "progress recorded."


def _owner(summary: str) -> str | None:
    if not summary.startswith(OLD_ACTION_ITEM_FOR):
        return None
    owner, found, _ = summary[len(OLD_ACTION_ITEM_FOR) :].partition(": “")
    return owner if found else None


def content_free(kind: str, summary: str, actor) -> str | None:
    """The new summary of an event of ``kind``, or None when it carries no content."""
    name = _name(actor)
    if kind == "goal_added":
        return GOAL_ADDED.format(actor=name)
    if kind == "goal_progress":
        return GOAL_PROGRESS.format(actor=name, progress=_progress(summary))
    if kind == "action_item_added":
        owner = _owner(summary)
        if owner is None:
            return f"{name} added an action item."
        return ACTION_ITEM_ADDED.format(actor=name, owner=owner)
    if kind == "action_item_done":
        return ACTION_ITEM_DONE.format(actor=name)
    return None


def rewrite_summaries(apps, schema_editor):
    MentorshipEvent = apps.get_model("mentorships", "MentorshipEvent")
    events = MentorshipEvent.objects.filter(
        kind__in=["goal_added", "goal_progress", "action_item_added", "action_item_done"]
    ).select_related("actor")
    changed = []
    for event in events.iterator(chunk_size=2000):
        summary = content_free(event.kind, event.summary, event.actor)
        if summary is not None and summary != event.summary:
            event.summary = summary[:300]
            changed.append(event)
        if len(changed) >= 2000:
            MentorshipEvent.objects.bulk_update(changed, ["summary"])
            changed = []
    MentorshipEvent.objects.bulk_update(changed, ["summary"])


def rename_admin_history(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model, label in CONTENT_NAMES.items():
        content_type = ContentType.objects.filter(app_label="mentorships", model=model).first()
        if content_type is None:  # a fresh database: nothing was ever logged
            continue
        entries = LogEntry.objects.filter(content_type=content_type).only("object_id")
        for entry in entries.iterator(chunk_size=2000):
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=f"{label} #{entry.object_id}"[:200]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("mentorships", "0002_meeting_series_plural"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(rewrite_summaries, migrations.RunPython.noop),
        migrations.RunPython(rename_admin_history, migrations.RunPython.noop),
    ]
