"""Live review: sending the new-meeting form twice with the same date and time made two
meetings at the same moment. A second meeting of a mentorship at a start one of its scheduled
meetings already has is refused (the page's date field, the API's ``starts_at``, a 409), under
the mentorship's row lock, so two requests at once make one meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import Meeting, MeetingStatus
from tests.mentorships.factories import call, mentorship
from tests.mentorships.test_lock_order import race, refusals, unexpected

START = "There is already a meeting of this mentorship at"


def tomorrow_at_ten():
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


def form(start, **extra):
    return {
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration_minutes": 45,
        "format": "call",
        **extra,
    }


def schedule(m, start, user=None, **extra):
    return services.meeting_schedule(
        user=user or m.mentor,
        mentorship_id=m.pk,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        format="call",
        **extra,
    )


def scheduled(m) -> int:
    return Meeting.objects.filter(mentorship=m, status=MeetingStatus.SCHEDULED).count()


@pytest.mark.django_db
def test_the_page_sent_twice_makes_one_meeting_and_says_why_on_the_date(client):
    m = mentorship()
    client.force_login(m.mentee)
    url = reverse("meeting_new", args=[m.pk])
    start = tomorrow_at_ten()
    assert client.post(url, form(start)).status_code == 302
    again = client.post(url, form(start))
    assert again.status_code == 200
    assert START in " ".join(again.context["form"].errors["date"])
    assert scheduled(m) == 1


@pytest.mark.django_db
def test_the_api_sent_twice_is_a_409_naming_starts_at(client):
    m = mentorship()
    start = tomorrow_at_ten()
    body = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=45)).isoformat(),
        "format": "call",
    }
    url = f"/api/mentorships/{m.pk}/meetings"
    assert call(client, "post", url, m.mentor, body).status_code == 201
    again = call(client, "post", url, m.mentor, body)
    assert again.status_code == 409 and START in again.json()["fields"]["starts_at"]
    assert scheduled(m) == 1


@pytest.mark.django_db
def test_within_a_second_is_the_same_start_and_other_times_are_free():
    m = mentorship()
    start = tomorrow_at_ten()
    schedule(m, start)
    with pytest.raises(ApplicationError) as error:
        schedule(m, start + timedelta(milliseconds=400), user=m.mentee)
    assert error.value.status == 409 and set(error.value.fields) == {"starts_at"}
    schedule(m, start + timedelta(hours=1))
    schedule(mentorship(), start)  # another pair's meeting at that time is theirs
    assert scheduled(m) == 2


@pytest.mark.django_db
def test_a_cancelled_meeting_leaves_its_start_free():
    m = mentorship()
    start = tomorrow_at_ten()
    services.meeting_cancel(user=m.mentor, meeting_id=schedule(m, start).pk)
    schedule(m, start)
    assert scheduled(m) == 1


@pytest.mark.django_db
def test_a_series_sent_twice_is_refused_and_so_is_one_meeting_on_its_dates():
    m = mentorship()
    start = tomorrow_at_ten()
    schedule(m, start, repeat="weekly", count=3)
    with pytest.raises(ApplicationError):
        schedule(m, start, repeat="weekly", count=3)
    with pytest.raises(ApplicationError):
        schedule(m, start + timedelta(weeks=2))
    assert scheduled(m) == 3


@pytest.mark.django_db(transaction=True)
def test_both_sending_at_once_make_one_meeting(postgres_only):
    m = mentorship()
    start = tomorrow_at_ten()
    outcomes = race(lambda: schedule(m, start), lambda: schedule(m, start, user=m.mentee))
    assert unexpected(outcomes) == []
    (refused,) = refusals(outcomes)
    assert refused.status == 409 and START in refused.message
    assert scheduled(m) == 1
