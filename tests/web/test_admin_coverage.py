"""Every model of Tandem's apps is in the admin (or deliberately kept out of it), and every
changelist loads, searches, filters, and costs the same number of queries for 1 row or 3."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.matchruns.models import MatchRun
from tandem.mentorships.models import Goal, MeetingSeries
from tandem.mentorships.services.common import event_add
from tandem.mentorships.services.meetings import calendar_feed_regenerate
from tandem.mentorships.services.pauses import mentorship_pause_declare
from tandem.notify.models import Notification, NotificationPreference, SentReminder
from tandem.people.services import api_token_create
from tandem.programs.models import ImportBatch, ParticipantInvitation
from tests.mentorships import factories as mentoring
from tests.people.factories import ProfileFactory, SkillFactory, UserFactory
from tests.programs.factories import EnrolmentFactory, InvitationFactory, ProgramFactory

PROJECT_APPS = (
    "people",
    "programs",
    "mentorships",
    "notify",
    "matchruns",
    "messaging",
    "feedback",
    "insights",
)

DELIBERATELY_UNREGISTERED = {
    "insights.InsightSnapshot": "A stored copy of a program's insight figures: read only "
    "through the insight pages, which check who may see which program's figures.",
    "insights.EquityQuarter": "Marks a quarter whose equity cohorts are frozen: written once "
    "by the equity computation, never edited (an edit would change published figures).",
    "insights.EquityCohort": "A final cohort's frozen equity sums per shared attribute, rare "
    "ones included: read only through the audited equity section, never by staff.",
    "insights.EquityRelease": "The audit's kept decisions for one equity release: written "
    "once, never edited (an edit would change what an earlier release withheld).",
    "people.ProfileVector": "Vectors of a profile's goals and expertise: derived data that "
    "readers check and recompute; the texts themselves are on the profile's admin page.",
    "people.Identity": "Opt-in background is visible only to its owner, never per person "
    "to admins (aggregates live in insights reports).",
    "mentorships.PrivateNote": "A private meeting note is its author's alone: not the other "
    "participant's, not an admin's.",
    "mentorships.AgendaItem": "A meeting's agenda is the pair's shared content: only the two "
    "people of the mentorship read it.",
    "mentorships.ProblemReport": "A reported problem is read by its reporter and the admins "
    "of its program only (on the mentorship's admin overview), not by site staff.",
    "mentorships.EarlyEndFeedback": "The mentee's answer after an early end is read by the "
    "mentee and the admins of its program outside the pair (on the mentorship's admin "
    "overview), never by the mentor nor by site staff.",
    "messaging.Conversation": "A conversation is the pair's: admins of its program see only "
    "counts and dates, on their pages; site staff nothing.",
    "messaging.Message": "Messages are read by the two people of the conversation only.",
    "messaging.ReadMarker": "Who read what when is the pair's.",
    "messaging.MessageReport": "A reported message is read by the admins of its program "
    "outside the pair, on their report page, not by site staff.",
    "feedback.CheckIn": "Check-in answers are their author's (and the parts they share, the "
    "pair's): admins see counts and health, never the answers.",
    "feedback.Divergence": "Admins of the program see that a divergence exists on their health "
    "page; which answers differ is the pair's.",
    "feedback.MentorshipHealth": "Health and its reasons are for the pair and the admins of "
    "its program, on their pages; not for site staff of other programs.",
    "feedback.HealthSnapshot": "Health history is read through the program's insight pages.",
    "feedback.Intervention": "Nudges and an admin's note to the pair are read by the pair and "
    "the program's admins, on the mentorship's pages.",
    "feedback.CheckInTemplate": "A program's check-in questions are edited by its admins on "
    "the program's check-in settings page.",
    "feedback.GuidanceArticle": "The guidance library is edited in the product (program "
    "admins for their program, site admins for everyone), with its Markdown preview.",
}

# The pair's content (DESIGN.md "Who may read what": the two people of the mentorship only,
# site staff included): no admin lists, shows, edits, filters or searches these fields.
PAIR_CONTENT = {
    "mentorships.MentorshipRequest": {"message", "decline_reason"},
    # With the early-end reason and category: the program admins', not site staff's.
    "mentorships.Mentorship": {"closing_reflection", "end_reason", "end_category"},
    "mentorships.AgreementVersion": {"content"},
    "mentorships.Goal": {"title", "measure"},
    "mentorships.Milestone": {"title"},
    "mentorships.GoalUpdate": {"note"},
    "mentorships.Meeting": {"shared_notes"},
    "mentorships.AgendaItem": {"text"},
    "mentorships.PrivateNote": {"body"},
    "mentorships.ActionItem": {"description"},
    # Its recipient's alone, and it may quote the above (an overdue action item's description);
    # its link names the mentorship and, for a health alert, the pair's health state.
    "notify.Notification": {"title", "body", "url"},
}


def label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def project_models():
    return [model for app in PROJECT_APPS for model in apps.get_app_config(app).get_models()]


def inline_models() -> set:
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


REGISTERED = sorted(label(model) for model in project_models() if model in admin.site._registry)


def test_every_model_is_registered_inline_or_deliberately_left_out():
    inlined = inline_models()
    missing = [
        label(model)
        for model in project_models()
        if model not in admin.site._registry
        and model not in inlined
        and label(model) not in DELIBERATELY_UNREGISTERED
    ]
    assert missing == []


@pytest.mark.parametrize("name", sorted(DELIBERATELY_UNREGISTERED))
def test_deliberately_unregistered_models_stay_out(name):
    model = apps.get_model(name)
    assert model not in admin.site._registry
    assert model not in inline_models()


@pytest.mark.parametrize("name", REGISTERED)
def test_changelist_has_search_and_filters(name):
    model_admin = admin.site._registry[apps.get_model(name)]
    assert model_admin.search_fields, f"{name} has no search box"
    assert model_admin.list_filter, f"{name} has no filters"


def _content_fields_reached(model, lookup: str) -> list[str]:
    """The pair-content fields a lookup such as ``goals__title`` or ``^title`` reaches."""
    reached = []
    for part in lookup.lstrip("^=@").split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if part in PAIR_CONTENT.get(label(model), ()):
            reached.append(f"{label(model)}.{part}")
        if not field.is_relation:
            break
        model = field.related_model
    return reached


def _admin_field_names(model_admin, request) -> set[str]:
    names = {name for name in getattr(model_admin, "list_display", ()) if isinstance(name, str)}
    for spec in getattr(model_admin, "list_filter", ()):
        if isinstance(spec, str | tuple):
            names.add(spec if isinstance(spec, str) else spec[0])
    names |= set(model_admin.get_fields(request)) | set(model_admin.get_readonly_fields(request))
    return names


def _admins_and_inlines():
    """``(id, model, admin instance)`` for every registered admin and each of its inlines."""
    for name in REGISTERED:
        model_admin = admin.site._registry[apps.get_model(name)]
        yield name, model_admin.model, model_admin
        for inline in model_admin.inlines:
            yield f"{name}-{inline.__name__}", inline.model, inline(model_admin.model, admin.site)


ADMINS_AND_INLINES = {
    key: (model, model_admin) for key, model, model_admin in _admins_and_inlines()
}


def test_pair_content_fields_exist():
    """The list above names real fields, so a rename cannot make the next test vacuous."""
    for name, fields in PAIR_CONTENT.items():
        model = apps.get_model(name)
        for field in fields:
            assert model._meta.get_field(field), (name, field)


@pytest.mark.parametrize("key", sorted(ADMINS_AND_INLINES))
def test_no_pair_content_is_shown_edited_or_searched_in_the_admin(rf, key):
    """Issue 8 review: the goal, milestone and action-item admins showed, edited and searched
    the pair's text."""
    model, model_admin = ADMINS_AND_INLINES[key]
    request = rf.get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    lookups = [
        *_admin_field_names(model_admin, request),
        *getattr(model_admin, "search_fields", ()),
    ]
    leaks = [reached for lookup in lookups for reached in _content_fields_reached(model, lookup)]
    assert leaks == []


def _now():
    return timezone.now()


def _meeting():
    pair = mentoring.mentorship()
    series = MeetingSeries.objects.create(
        mentorship=pair,
        rrule="FREQ=WEEKLY;COUNT=4",
        starts_at=_now() + timedelta(days=1),
        duration_minutes=30,
        format="video",
    )
    return mentoring.meeting(pair, series=series, original_start=series.starts_at)


def _series():
    return MeetingSeries.objects.create(
        mentorship=mentoring.mentorship(),
        rrule="FREQ=WEEKLY;COUNT=4",
        starts_at=_now(),
        duration_minutes=30,
        format="video",
    )


def _goal():
    pair = mentoring.mentorship()
    goal = Goal.objects.create(mentorship=pair, title="Give a talk", created_by=pair.mentee)
    goal.milestones.create(title="Submit the abstract")
    goal.updates.create(author=pair.mentee, state="in_progress", percent=20)
    return goal


def _event():
    pair = mentoring.mentorship()
    return event_add(mentorship=pair, actor=pair.mentor, kind="goal_added", summary="Added a goal")


def _pause():
    pair = mentoring.mentorship()
    today = timezone.now().date()
    return mentorship_pause_declare(
        user=pair.mentee, mentorship_id=pair.pk, ends_on=today + timedelta(days=14)
    )


def _run():
    program = ProgramFactory()
    return MatchRun.objects.create(program=program, created_by=UserFactory())


# One row of each registered model, with the related rows its changelist displays.
BUILDERS: dict[str, Callable[[], object]] = {
    "people.User": UserFactory,
    "people.Skill": SkillFactory,
    "people.Profile": ProfileFactory,
    "people.ApiToken": lambda: api_token_create(user=UserFactory(), name="laptop")[0],
    "programs.Program": ProgramFactory,
    "programs.Enrolment": EnrolmentFactory,
    "programs.Invitation": InvitationFactory,
    "programs.ImportBatch": lambda: ImportBatch.objects.create(
        program=ProgramFactory(),
        uploaded_by=UserFactory(),
        filename="people.csv",
        content=b"email\n",
        report={},
    ),
    "programs.ParticipantInvitation": lambda: ParticipantInvitation.objects.create(
        program=ProgramFactory(),
        email="invited@example.org",
        role="mentee",
        token=secrets.token_urlsafe(32),
    ),
    "mentorships.MentorshipRequest": mentoring.RequestFactory,
    "mentorships.Mentorship": mentoring.mentorship,
    "mentorships.Goal": _goal,
    "mentorships.MeetingSeries": _series,
    "mentorships.Meeting": _meeting,
    "mentorships.ActionItem": lambda: mentoring.action_item(mentoring.mentorship()),
    "mentorships.MentorshipEvent": _event,
    "mentorships.MentorshipPause": _pause,
    "mentorships.CalendarFeed": lambda: calendar_feed_regenerate(user=UserFactory()),
    "notify.Notification": lambda: Notification.objects.create(
        recipient=UserFactory(), kind="meeting_reminder", title="Meeting tomorrow"
    ),
    "notify.NotificationPreference": lambda: NotificationPreference.objects.create(
        user=UserFactory()
    ),
    "notify.SentReminder": lambda: SentReminder.objects.create(
        kind="meeting", object_id=1, recipient=UserFactory(), slot="24h"
    ),
    "matchruns.MatchRun": _run,
}


def test_every_registered_model_has_a_builder():
    assert sorted(BUILDERS) == REGISTERED


def _changelist(name: str) -> str:
    model = apps.get_model(name)
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", REGISTERED)
def test_changelist_loads_with_bounded_queries(superuser_client, name):
    url = _changelist(name)
    BUILDERS[name]()
    superuser_client.get(url)  # warm per-process caches (content types, etc.)
    one_row = _count_queries(superuser_client, url)
    BUILDERS[name]()
    BUILDERS[name]()
    three_rows = _count_queries(superuser_client, url)
    assert three_rows == one_row, f"{name}: {one_row} queries for 1 row, {three_rows} for 3"


@pytest.mark.parametrize("name", REGISTERED)
def test_changelist_search_and_filters_work(superuser_client, name):
    for _ in range(3):
        BUILDERS[name]()
    url = _changelist(name)
    response = superuser_client.get(url, {"q": "x"})
    assert response.status_code == 200
    # A term nothing matches empties the list: the search box really filters.
    response = superuser_client.get(url, {"q": "no-such-thing-zq"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0

    changelist = superuser_client.get(url).context["cl"]
    for spec in changelist.filter_specs:
        # Skip "All" and keep it quick: the first few choices show the filter works.
        for choice in list(spec.choices(changelist))[1:4]:
            response = superuser_client.get(url + choice["query_string"])
            # A broken filter redirects to "?e=1" instead.
            assert response.status_code == 200, (name, spec.title, choice["query_string"])
