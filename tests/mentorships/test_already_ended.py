"""Live review: the end-early page still showed its form after the mentorship had ended, and
sending it (the partner ended it meanwhile, or a double click) said "A mentorship that is ended
early cannot become ended early." The page now says who ended it and when, with the way back,
and no form; the service refuses with the same words (the API's 409)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships import services
from tandem.mentorships.models import Mentorship, MentorshipEvent, MentorshipState
from tandem.mentorships.services.lifecycle import mentorship_ended_notice
from tandem.notify.models import Notification
from tests.mentorships.factories import call, mentorship
from tests.programs.factories import admin_of

pytestmark = pytest.mark.django_db

END = {"confirm": "yes", "reason": "Moving teams", "category": "fit"}


@pytest.fixture
def ended():
    m = mentorship()
    services.mentorship_end_early(
        user=m.mentor, mentorship_id=m.pk, reason="New job", category="schedule"
    )
    m.refresh_from_db()
    return m


def today() -> str:
    return day_in(timezone.localdate())


def unchanged(m) -> None:
    m.refresh_from_db()
    assert (m.state, m.ended_by_id, m.end_reason) == (
        MentorshipState.ENDED_EARLY,
        m.mentor_id,
        "New job",
    )


def shows_notice_without_form(response, m, notice: str) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    assert notice in page
    assert f'href="{reverse("mentorship_detail", args=[m.pk])}"' in page
    assert 'name="reason"' not in page and 'name="confirm"' not in page
    assert "cannot become" not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_partner_reads_who_ended_it_and_when_instead_of_the_form(client, ended, method):
    client.force_login(ended.mentee)
    url = reverse("mentorship_end", args=[ended.pk])
    events, notices = MentorshipEvent.objects.count(), Notification.objects.count()
    response = client.get(url) if method == "get" else client.post(url, END)
    name = ended.mentor.display_name
    shows_notice_without_form(response, ended, f"{name} already ended this mentorship on {today()}")
    unchanged(ended)
    assert MentorshipEvent.objects.count() == events and Notification.objects.count() == notices


def test_a_second_click_reads_you_already_ended_it(client, ended):
    client.force_login(ended.mentor)
    response = client.post(reverse("mentorship_end", args=[ended.pk]), END)
    shows_notice_without_form(response, ended, f"You already ended this mentorship on {today()}")
    unchanged(ended)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_admin_end_page_says_it_too(client, ended, method):
    client.force_login(admin_of(ended.program))
    url = reverse("mentorship_admin_end", args=[ended.pk])
    response = client.get(url) if method == "get" else client.post(url, END)
    name = ended.mentor.display_name
    shows_notice_without_form(response, ended, f"{name} already ended this mentorship on {today()}")
    unchanged(ended)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_complete_page_says_it_too(client, ended, method):
    """Its form said the agreed period had ended (a date still to come) and, sent, showed the
    refusal above the form again."""
    client.force_login(ended.mentee)
    url = reverse("mentorship_complete", args=[ended.pk])
    response = client.get(url) if method == "get" else client.post(url, {"reflection": "Good"})
    name = ended.mentor.display_name
    shows_notice_without_form(response, ended, f"{name} already ended this mentorship on {today()}")
    assert 'name="reflection"' not in response.content.decode()
    unchanged(ended)


def test_ending_at_the_same_time_shows_the_notice_to_the_later_one(client, monkeypatch):
    """The page read the mentorship running; the partner's end committed before this one's."""
    m = mentorship()
    client.force_login(m.mentee)
    real = services.mentorship_end_early

    def partner_first(**kwargs):
        real(user=m.mentor, mentorship_id=m.pk, reason="New job", category="schedule")
        return real(**kwargs)

    monkeypatch.setattr(services, "mentorship_end_early", partner_first)
    response = client.post(reverse("mentorship_end", args=[m.pk]), END)
    name = m.mentor.display_name
    shows_notice_without_form(response, m, f"{name} already ended this mentorship on {today()}")
    unchanged(m)


def test_the_service_and_the_api_refuse_with_the_same_words(client, ended):
    notice = f"{ended.mentor.display_name} already ended this mentorship on {today()}."
    with pytest.raises(services.AlreadyEnded) as error:
        services.mentorship_end_early(
            user=ended.mentee, mentorship_id=ended.pk, reason="Late", category="fit"
        )
    assert error.value.message == notice and error.value.status == 409
    body = {"reason": "Late", "category": "fit"}
    response = call(client, "post", f"/api/mentorships/{ended.pk}/end", ended.mentee, body)
    assert response.status_code == 409 and response.json()["detail"] == notice
    unchanged(ended)


def test_the_notice_names_who_ended_it_when_the_joined_person_was_read_before_the_wait(ended):
    """Live review on PostgreSQL: the second of two tabs ending at once waited for the row
    lock, read the row anew but kept the ender joined before the wait (none), and said
    "This mentorship already ended" without saying who."""
    Mentorship._meta.get_field("ended_by").set_cached_value(ended, None)
    notice = mentorship_ended_notice(mentorship=ended, viewer=ended.mentee)
    assert notice is not None and notice.startswith(ended.mentor.display_name)
