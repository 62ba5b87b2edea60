"""Admin screens for mentorships: the secrets and private text they must never show."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.models import (
    CalendarFeed,
    Goal,
    GoalUpdate,
    MentorshipEvent,
    Milestone,
    PrivateNote,
)
from tandem.mentorships.services.common import event_add
from tandem.mentorships.services.meetings import calendar_feed_regenerate
from tests.mentorships.factories import RequestFactory, UserFactory, meeting, mentorship

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_calendar_feed_token_is_never_shown_nor_searchable(staff_client):
    feed = calendar_feed_regenerate(user=UserFactory())
    changelist = reverse("admin:mentorships_calendarfeed_changelist")
    pages = [
        staff_client.get(changelist),
        staff_client.get(reverse("admin:mentorships_calendarfeed_change", args=[feed.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert feed.token.encode() not in page.content
    assert staff_client.get(changelist, {"q": feed.token}).context["cl"].result_count == 0


def test_calendar_feed_action_replaces_the_token_through_the_service(staff_client):
    feed = calendar_feed_regenerate(user=UserFactory())
    response = staff_client.post(
        reverse("admin:mentorships_calendarfeed_changelist"),
        {"action": "regenerate", "_selected_action": [feed.pk]},
    )
    assert response.status_code == 302
    assert CalendarFeed.objects.get(pk=feed.pk).token != feed.token


def test_meeting_page_shows_no_notes_nor_agenda(staff_client):
    """Issue 8: shared notes and agenda are the pair's; staff see when, not what."""
    pair = mentorship()
    found = meeting(pair, shared_notes="Shared: talk outline")
    found.agenda_items.create(author=pair.mentee, text="Review the abstract")
    PrivateNote.objects.create(meeting=found, author=pair.mentor, body="Private: worried")
    page = staff_client.get(reverse("admin:mentorships_meeting_change", args=[found.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Shared: talk outline", "Review the abstract", "Private: worried"):
        assert text not in html


def test_mentorship_page_lists_agreement_versions_without_their_terms(staff_client):
    pair = mentorship()
    pair.closing_reflection = "Reflection: grateful"
    pair.save(update_fields=["closing_reflection"])
    html = staff_client.get(
        reverse("admin:mentorships_mentorship_change", args=[pair.pk])
    ).content.decode()
    assert "Give a conference talk" not in html  # the agreement's terms, from the factory
    assert "Reflection: grateful" not in html
    assert 'name="agreement_versions-0-number"' not in html  # displayed, not editable


def test_admin_index_names_every_model_in_plain_english(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "Meeting series" in page and "seriess" not in page


# The pair's content, each piece a word nothing else on an admin page contains.
SECRETS = {
    "goal title": "Zqgoaltitle",
    "goal measure": "Zqgoalmeasure",
    "milestone title": "Zqmilestone",
    "progress note": "Zqprogressnote",
    "action item": "Zqactionitem",
    "shared notes": "Zqsharednotes",
    "agenda item": "Zqagenda",
    "private note": "Zqprivatenote",
    "request message": "Zqrequest",
    "decline reason": "Zqdecline",
}


def _pair_with_content():
    """A mentorship whose every kind of content was written through the services."""
    pair = mentorship()
    goal = services.goal_create(
        user=pair.mentee,
        mentorship_id=pair.pk,
        title=SECRETS["goal title"],
        measure=SECRETS["goal measure"],
    )
    services.milestone_add(user=pair.mentee, goal_id=goal.pk, title=SECRETS["milestone title"])
    services.goal_update_progress(
        user=pair.mentee,
        goal_id=goal.pk,
        state="in_progress",
        percent=40,
        note=SECRETS["progress note"],
    )
    item = services.action_item_create(
        user=pair.mentor,
        mentorship_id=pair.pk,
        description=SECRETS["action item"],
        owner_id=pair.mentee_id,
    )
    services.action_item_set_status(user=pair.mentee, action_item_id=item.pk, status="done")
    found = meeting(pair, shared_notes=SECRETS["shared notes"])
    found.agenda_items.create(author=pair.mentee, text=SECRETS["agenda item"])
    PrivateNote.objects.create(meeting=found, author=pair.mentor, body=SECRETS["private note"])
    RequestFactory(
        program=pair.program,
        sender=pair.mentee,
        recipient=pair.mentor,
        message=SECRETS["request message"],
        decline_reason=SECRETS["decline reason"],
    )
    return pair


def _project_admins():
    """Every admin of Tandem's apps: content is also copied elsewhere (a notification to the
    owner of an action item carries its description)."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("tandem.")
    ]


def test_no_pair_content_on_any_admin_page_nor_in_its_search(staff_client):
    """Issue 8 review: goal titles and measures, milestones and action items were listed,
    editable and searchable in the admin, the timeline summaries quoted them, and so did
    the notifications' page."""
    _pair_with_content()
    for model, _ in _project_admins():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        pages = {changelist: staff_client.get(changelist)}
        for pk in model.objects.values_list("pk", flat=True):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            pages[url] = staff_client.get(url)
        for url, page in pages.items():
            assert page.status_code == 200, url
            html = page.content.decode()
            shown = [what for what, secret in SECRETS.items() if secret in html]
            assert shown == [], (url, shown)
        for what, secret in SECRETS.items():
            found = staff_client.get(changelist, {"q": secret}).context["cl"].result_count
            assert found == 0, (model.__name__, what)


def test_goals_and_action_items_cannot_be_written_from_the_admin(staff_client):
    pair = _pair_with_content()
    goal = Goal.objects.get(mentorship=pair)
    url = reverse("admin:mentorships_goal_change", args=[goal.pk])
    staff_client.post(url, {"title": "Staff rewrote it", "measure": "x"})
    goal.refresh_from_db()
    assert (goal.title, goal.measure) == (SECRETS["goal title"], SECRETS["goal measure"])
    assert staff_client.get(reverse("admin:mentorships_goal_add")).status_code == 403
    assert staff_client.get(reverse("admin:mentorships_actionitem_add")).status_code == 403
    html = staff_client.get(url).content.decode()
    assert 'name="milestones-0-title"' not in html and 'name="title"' not in html


def test_names_of_content_rows_carry_no_content():
    pair = _pair_with_content()
    goal = Goal.objects.get(mentorship=pair)
    names = [
        str(goal),
        str(Milestone.objects.get(goal=goal)),
        str(GoalUpdate.objects.get(goal=goal)),
        str(pair.action_items.get()),
        str(pair.meetings.get().agenda_items.get()),
    ]
    assert not [name for name in names if any(s in name for s in SECRETS.values())], names


def test_timeline_summaries_say_who_did_what_without_the_content():
    pair = _pair_with_content()
    summaries = list(MentorshipEvent.objects.filter(mentorship=pair).values_list("kind", "summary"))
    assert not [s for _, s in summaries if any(secret in s for secret in SECRETS.values())]
    by_kind = dict(summaries)
    mentee, mentor = pair.mentee.display_name, pair.mentor.display_name
    assert by_kind["goal_added"] == f"{mentee} added a goal."
    assert by_kind["goal_progress"] == f"{mentee} updated a goal: in progress, 40%."
    assert by_kind["action_item_added"] == f"{mentor} added an action item for {mentee}."
    assert by_kind["action_item_done"] == f"{mentee} completed an action item."


MIGRATION = "tandem.mentorships.migrations.0003_event_summaries_without_content"


def test_migration_rewrites_stored_summaries_and_admin_history_without_content():
    """Summaries written before the fix quoted the content; the data migration rewrites them."""
    migration = importlib.import_module(MIGRATION)
    pair = mentorship()
    mentee, mentor = pair.mentee, pair.mentor
    old = {
        "goal_added": (mentee, f"{mentee.display_name} added the goal “Zqold: a “quote”.”."),
        "goal_progress": (mentee, "“Zqold”: in progress, 40%."),
        "action_item_added": (mentor, f"Action item for {mentee.display_name}: “Zqold”."),
        "action_item_done": (mentee, "Done: “Zqold”."),
        "meeting_scheduled": (mentor, f"{mentor.display_name} scheduled a meeting."),
    }
    for kind, (actor, summary) in old.items():
        event_add(mentorship=pair, actor=actor, kind=kind, summary=summary)
    goal = Goal.objects.create(mentorship=pair, title="Zqold goal", created_by=mentee)
    LogEntry.objects.create(
        user=UserFactory(is_staff=True),
        content_type=ContentType.objects.get_for_model(Goal),
        object_id=str(goal.pk),
        object_repr="Zqold goal",
        action_flag=CHANGE,
    )

    migration.rewrite_summaries(apps, None)
    migration.rename_admin_history(apps, None)

    summaries = dict(pair.events.values_list("kind", "summary"))
    assert summaries == {
        "goal_added": f"{mentee.display_name} added a goal.",
        "goal_progress": f"{mentee.display_name} updated a goal: in progress, 40%.",
        "action_item_added": (
            f"{mentor.display_name} added an action item for {mentee.display_name}."
        ),
        "action_item_done": f"{mentee.display_name} completed an action item.",
        "meeting_scheduled": f"{mentor.display_name} scheduled a meeting.",
    }
    assert LogEntry.objects.get().object_repr == f"Goal #{goal.pk}"
