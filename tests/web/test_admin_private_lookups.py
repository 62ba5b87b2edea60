"""No changelist of the site admin filters through what no admin shows (rpriv F4): Django takes
any field and any one relation in the query string, so ``?identity__isnull=False&q=<email>``
told site staff who had opted in to identity, ``?private_notes__isnull=False`` which meetings
had a private note, and a local field a page hides (a calendar feed's ``token__startswith``, a
meeting's ``shared_notes__icontains``) could be read a character at a time. Each is refused as
Django refuses a lookup it does not allow: a 400, never a 500, and no count is shown."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tandem.core.admin import PRIVATE_FIELDS, PrivateLookupsRefused
from tandem.feedback.models import CheckIn
from tandem.mentorships.models import PrivateNote
from tandem.mentorships.services.meetings import calendar_feed_regenerate
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.people.models import Identity
from tests.mentorships import factories as mentoring
from tests.people.factories import ProfileFactory, UserFactory
from tests.web.test_admin_coverage import REGISTERED

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _refused(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)


def test_who_opted_in_to_identity_cannot_be_filtered(staff):
    opted = ProfileFactory().user
    Identity.objects.create(user=opted, attributes=["Parent"], consented_at=timezone.now())
    users = reverse("admin:people_user_changelist")
    for query in (
        "?identity__isnull=False",
        f"?identity__isnull=False&q={opted.email}",
        f"?identity__isnull=True&q={opted.email}",
        "?identity__gte=1",
        "?identity__attributes__icontains=parent",
        "?checkins__isnull=False",
    ):
        _refused(staff, users + query)
    for name in ("people_profile", "programs_enrolment"):
        person = "user" if name == "people_profile" else "person"
        _refused(staff, reverse(f"admin:{name}_changelist") + f"?{person}__identity__isnull=False")
    # What the admin offers still works.
    assert staff.get(users + f"?is_staff__exact=0&q={opted.email}").status_code == 200


def test_which_meetings_have_a_private_note_cannot_be_filtered(staff):
    meeting = mentoring.meeting(mentoring.mentorship())
    PrivateNote.objects.create(meeting=meeting, author=meeting.mentorship.mentee, body="mine")
    meetings = reverse("admin:mentorships_meeting_changelist")
    _refused(staff, meetings + "?private_notes__isnull=False")
    _refused(staff, meetings + "?private_notes__body__icontains=mine")
    _refused(staff, meetings + "?shared_notes__icontains=a")
    _refused(staff, meetings + "?mentorship__closing_reflection__icontains=a")
    assert staff.get(meetings + "?status__exact=scheduled").status_code == 200


def test_a_calendar_feed_token_cannot_be_read_a_character_at_a_time(staff):
    feed = calendar_feed_regenerate(user=UserFactory())
    _refused(staff, reverse("admin:mentorships_calendarfeed_changelist") + f"?token={feed.token}")
    _refused(
        staff,
        reverse("admin:mentorships_calendarfeed_changelist")
        + f"?token__startswith={feed.token[0]}",
    )


def test_every_admin_refuses_private_lookups():
    assert CheckIn not in admin.site._registry  # the rule below is about models like it
    for model_admin in admin.site._registry.values():
        if model_admin.model._meta.app_label in {"auth", "django_tasks_database"}:
            continue
        assert isinstance(model_admin, PrivateLookupsRefused), model_admin


def _shown(model) -> bool:
    inlined = {i.model for each in admin.site._registry.values() for i in each.inlines}
    return model in admin.site._registry or model in inlined


def _private_paths(model, depth: int = 2):
    """Paths from ``model`` that reach a model no admin shows or a private field, within
    ``depth`` relations."""
    for field in model._meta.get_fields():
        if field.name in PRIVATE_FIELDS.get(model._meta.label_lower, ()):
            yield field.name
            continue
        related = field.related_model if field.is_relation else None
        if related is None:
            continue
        if not _shown(related):
            yield field.name
        elif depth > 1 and related is not model:
            for rest in _private_paths(related, depth - 1):
                yield f"{field.name}__{rest}"


SWEEP = sorted(
    (name, path) for name in REGISTERED for path in set(_private_paths(apps.get_model(name)))
)


def test_the_sweep_covers_the_review():
    assert {
        ("people.User", "identity"),
        ("people.User", "checkins"),
        ("mentorships.Meeting", "private_notes"),
        ("mentorships.Meeting", "shared_notes"),
        ("mentorships.CalendarFeed", "token"),
        ("people.Profile", "user__identity"),
        ("programs.Enrolment", "person__identity"),
    } <= set(SWEEP)


@pytest.mark.parametrize(("name", "path"), SWEEP)
def test_no_changelist_filters_through_a_private_path(staff, name, path):
    _refused(staff, _changelist(apps.get_model(name)) + f"?{path}__isnull=False")


def test_an_early_end_reason_is_neither_shown_nor_filtered(staff):
    """Live privacy review: the mentorship's change page showed (and let staff edit) the reason
    a person gave for ending early, which is the program admins' only, and
    ``?end_reason__icontains=`` read it a few letters at a time; its category likewise."""
    pair = mentoring.mentorship()
    pair.end_reason, pair.end_category = "He never listened to me", "fit"
    pair.save(update_fields=["end_reason", "end_category"])
    mentorships = reverse("admin:mentorships_mentorship_changelist")
    _refused(staff, mentorships + "?end_reason__icontains=listened")
    _refused(staff, mentorships + "?end_category=fit")
    meetings = reverse("admin:mentorships_meeting_changelist")
    _refused(staff, meetings + "?mentorship__end_reason__icontains=listened")
    page = staff.get(reverse("admin:mentorships_mentorship_change", args=[pair.pk]))
    assert page.status_code == 200
    assert "never listened" not in page.content.decode()
    assert 'name="end_category"' not in page.content.decode()


def test_a_notification_link_is_neither_shown_nor_filtered(staff):
    """Live privacy review: a health alert's link read ``/feedback/programs/<id>/health/
    ?state=stalled`` and a nudge's ``/mentorships/<id>/#health`` on the notification's change
    page, and ``?url__icontains=stalled`` found them: site staff read which pairs were flagged
    and how, which is the pair's and their program admins' to know."""
    pair = mentoring.mentorship()
    shown = Notification.objects.create(
        recipient=pair.mentor,
        kind=Kind.MENTORSHIP,
        title="t",
        body="b",
        url=f"/mentorships/{pair.pk}/?state=stalled",
    )
    notifications = reverse("admin:notify_notification_changelist")
    _refused(staff, notifications + "?url__icontains=stalled")
    _refused(staff, notifications + f"?url=/mentorships/{pair.pk}/%23health")
    page = staff.get(reverse("admin:notify_notification_change", args=[shown.pk]))
    assert page.status_code == 200
    assert "stalled" not in page.content.decode()


@pytest.mark.parametrize("kind", [Kind.HEALTH_NUDGE, Kind.CHECKIN_DIVERGENCE, Kind.HEALTH_ALERT])
def test_a_health_notification_is_not_listed_at_all(staff, kind):
    """Code review: a nudge goes to both people of a flagged pair at once, so listing nudges by
    kind named the pair, with no link needed; a divergence prompt and an alert likewise."""
    pair = mentoring.mentorship()
    told = Notification.objects.create(recipient=pair.mentee, kind=kind, title="t", body="b")
    notifications = reverse("admin:notify_notification_changelist")
    listed = staff.get(notifications + f"?kind__exact={kind}")
    assert listed.status_code == 200
    assert pair.mentee.email not in listed.content.decode()
    assert listed.context["cl"].result_count == 0
    page = staff.get(reverse("admin:notify_notification_change", args=[told.pk]))
    assert page.status_code == 302  # Django's "does not exist" answer, as for any unknown id
