"""Cancelling a meeting, cancelling the rest of a meeting series and ending a mentorship early
ask first: a GET or
a POST without ``confirm=yes`` says what will happen and changes nothing; the confirmed POST
acts. Who may do it is unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships.models import Meeting, MeetingSeries, MeetingStatus, MentorshipState
from tandem.notify.models import Notification
from tests.mentorships.factories import mentorship, non_participants
from tests.mentorships.test_meetings import schedule
from tests.people.factories import UserFactory


def _series():
    m = mentorship()
    first = schedule(m, repeat="weekly", count=3)
    return m, reverse("meeting_series_cancel", args=[first.pk])


def _scheduled():
    return Meeting.objects.filter(status=MeetingStatus.SCHEDULED).count()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_without_confirmation_it_asks_and_changes_nothing(client, method):
    m, url = _series()
    client.force_login(m.mentor)
    notices = Notification.objects.count()
    response = getattr(client, method)(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cancel the rest of this meeting series?" in page
    assert "Your mentorship partner is told" in page and "cannot be undone" in page
    assert f'action="{url}"' in page and 'name="confirm" value="yes"' in page
    assert _scheduled() == 3 and MeetingSeries.objects.get().cancelled_at is None
    assert Notification.objects.count() == notices


@pytest.mark.django_db
def test_the_confirmed_post_cancels_and_tells_the_partner(client):
    m, url = _series()
    client.force_login(m.mentor)
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "The rest of the series is cancelled" in response.content.decode()
    assert _scheduled() == 0 and MeetingSeries.objects.get().cancelled_at is not None
    assert Notification.objects.filter(recipient=m.mentee).exists()


@pytest.mark.django_db
def test_an_already_cancelled_series_is_refused_without_asking(client):
    m, url = _series()
    client.force_login(m.mentor)
    client.post(url, {"confirm": "yes"})
    response = client.post(url, follow=True)
    assert "Cancel the rest of this meeting series?" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "stranger", "same_program", "staff", "anonymous"])
@pytest.mark.parametrize("confirm", [{}, {"confirm": "yes"}])
def test_nobody_else_sees_the_question_or_cancels(client, role, confirm):
    m, url = _series()
    cast = {**non_participants(m), "staff": UserFactory(is_staff=True)}
    if role != "anonymous":
        client.force_login(cast[role])
    response = client.post(url, confirm)
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/login/")
    else:
        assert response.status_code == 404
    assert _scheduled() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_cancelling_one_meeting_asks_and_changes_nothing_without_confirmation(client, method):
    m = mentorship()
    single = schedule(m)
    url = reverse("meeting_cancel", args=[single.pk])
    client.force_login(m.mentee)
    notices = Notification.objects.count()
    response = getattr(client, method)(url)
    page = response.content.decode()
    assert response.status_code == 200 and "Cancel this meeting?" in page
    assert m.mentor.display_name in page and "cannot be undone" in page
    assert f'action="{url}"' in page and 'name="confirm" value="yes"' in page
    assert _scheduled() == 1 and Notification.objects.count() == notices
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Meeting cancelled" in response.content.decode() and _scheduled() == 0
    assert Notification.objects.count() == notices + 1
    assert Notification.objects.latest("pk").recipient == m.mentor
    again = client.post(url, follow=True).content.decode()
    assert "Cancel this meeting?" not in again  # refused without asking


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "stranger", "same_program", "anonymous"])
def test_nobody_else_is_asked_to_cancel_a_meeting(client, role):
    m = mentorship()
    url = reverse("meeting_cancel", args=[schedule(m).pk])
    if role != "anonymous":
        client.force_login(non_participants(m)[role])
    for response in (client.get(url), client.post(url, {"confirm": "yes"})):
        assert response.status_code == (302 if role == "anonymous" else 404)
    assert _scheduled() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {}, {"reason": "Moving teams"}])
def test_ending_early_says_what_happens_and_acts_only_when_confirmed(client, data):
    m = mentorship()
    client.force_login(m.mentee)
    url = reverse("mentorship_end", args=[m.pk])
    response = client.get(url) if data is None else client.post(url, data)
    page = response.content.decode()
    assert "End this mentorship early?" in page and 'name="reason"' in page
    assert f"{m.mentor.display_name} is told that it ended, never why" in page
    assert "cannot be undone" in page and 'name="confirm" value="yes"' in page
    m.refresh_from_db()
    assert m.state != MentorshipState.ENDED_EARLY


@pytest.mark.django_db
def test_ending_early_confirmed_without_a_reason_asks_for_one(client):
    m = mentorship()
    client.force_login(m.mentee)
    url = reverse("mentorship_end", args=[m.pk])
    response = client.post(url, {"confirm": "yes", "reason": " "})
    assert response.status_code == 200
    m.refresh_from_db()
    assert m.state != MentorshipState.ENDED_EARLY


@pytest.mark.django_db
def test_ending_early_confirmed_ends_it(client):
    m = mentorship()
    client.force_login(m.mentee)
    url = reverse("mentorship_end", args=[m.pk])
    response = client.post(url, {"confirm": "yes", "reason": "Moving teams", "category": "fit"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.state, m.end_reason, m.end_category) == (
        MentorshipState.ENDED_EARLY,
        "Moving teams",
        "fit",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["", "program", "bored"])
def test_ending_early_needs_one_of_the_pairs_categories(client, category):
    m = mentorship()
    client.force_login(m.mentee)
    url = reverse("mentorship_end", args=[m.pk])
    response = client.post(url, {"confirm": "yes", "reason": "Moving", "category": category})
    assert response.status_code == 200 and 'name="category"' in response.content.decode()
    m.refresh_from_db()
    assert m.state != MentorshipState.ENDED_EARLY


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "stranger", "same_program", "staff", "anonymous"])
def test_nobody_else_sees_the_end_page_or_ends_it(client, role):
    m = mentorship()
    cast = {**non_participants(m), "staff": UserFactory(is_staff=True)}
    if role != "anonymous":
        client.force_login(cast[role])
    url = reverse("mentorship_end", args=[m.pk])
    response = client.post(url, {"confirm": "yes", "reason": "Moving teams"})
    assert response.status_code == (302 if role == "anonymous" else 404)
    m.refresh_from_db()
    assert m.state != MentorshipState.ENDED_EARLY
