"""Admin screens for mentorships: the secrets and private text they must never show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships.models import CalendarFeed, PrivateNote
from tandem.mentorships.services.meetings import calendar_feed_regenerate
from tests.mentorships.factories import UserFactory, meeting, mentorship

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
