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


# Moving a meeting onto another's start: the same rule, the same words, the same lock (taken
# before the meeting's, the lock order in docs/mentorships.md).


def move(found: Meeting, start, user=None, minutes: int = 45, **extra):
    return services.meeting_reschedule(
        user=user or found.mentorship.mentor,
        meeting_id=found.pk,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        **extra,
    )


def two_meetings(m=None):
    """A meeting tomorrow at ten and another an hour later, of one mentorship."""
    m = m or mentorship()
    start = tomorrow_at_ten()
    return start, schedule(m, start), schedule(m, start + timedelta(hours=1))


def starts(m) -> list:
    return sorted(Meeting.objects.filter(mentorship=m).values_list("starts_at", flat=True))


@pytest.mark.django_db
def test_the_page_moving_a_meeting_onto_anothers_start_says_why_on_the_date(client):
    start, first, second = two_meetings()
    m = first.mentorship
    client.force_login(m.mentee)
    page = client.post(
        reverse("meeting_reschedule", args=[second.pk]),
        form(
            start,
            seen_starts_at=second.starts_at.isoformat(),
            seen_minutes=second.duration_minutes,
        ),
    )
    assert page.status_code == 200
    assert START in " ".join(page.context["form"].errors["date"])
    assert starts(m) == [start, start + timedelta(hours=1)]
    assert not m.events.filter(kind="meeting_moved").exists()


@pytest.mark.django_db
def test_the_api_moving_a_meeting_onto_anothers_start_is_a_409_naming_starts_at(client):
    start, first, second = two_meetings()
    m = first.mentorship
    body = {
        "starts_at": (start + timedelta(milliseconds=300)).isoformat(),
        "ends_at": (start + timedelta(minutes=45)).isoformat(),
    }
    url = f"/api/mentorships/meetings/{second.pk}/reschedule"
    refused = call(client, "post", url, m.mentee, body)
    assert refused.status_code == 409 and START in refused.json()["fields"]["starts_at"]
    assert starts(m) == [start, start + timedelta(hours=1)]
    body["starts_at"] = (start + timedelta(minutes=30)).isoformat()
    body["ends_at"] = (start + timedelta(minutes=75)).isoformat()
    assert call(client, "post", url, m.mentee, body).status_code == 200  # another time is free


@pytest.mark.django_db
def test_a_move_onto_its_own_start_or_a_cancelled_ones_or_another_pairs_goes_through():
    start, first, second = two_meetings()
    m = first.mentorship
    _, moved = move(first, start, minutes=60)  # longer, at its own start: not against itself
    assert moved
    other_pair = schedule(mentorship(), start + timedelta(hours=2))
    services.meeting_cancel(user=m.mentor, meeting_id=first.pk)
    move(second, start)  # the cancelled meeting left its start free
    move(second, other_pair.starts_at)  # another pair's meeting at that time is theirs
    assert scheduled(m) == 1


@pytest.mark.django_db
def test_a_move_within_a_second_of_anothers_start_is_refused_and_changes_nothing():
    start, first, second = two_meetings()
    with pytest.raises(ApplicationError) as error:
        move(second, start - timedelta(milliseconds=600), user=first.mentorship.mentee)
    assert error.value.status == 409 and set(error.value.fields) == {"starts_at"}
    assert START in error.value.message
    second.refresh_from_db()
    assert (second.starts_at, second.sequence) == (start + timedelta(hours=1), 0)


@pytest.mark.django_db
def test_a_series_meeting_moved_onto_another_date_of_the_series_or_a_single_one_is_refused():
    """Reschedule moves one meeting, a series' occurrence included (it keeps its original
    start): the rule holds for that one new date."""
    m = mentorship()
    start = tomorrow_at_ten()
    first = schedule(m, start, repeat="weekly", count=3)
    single = schedule(m, start + timedelta(days=3))
    third = Meeting.objects.get(series=first.series, starts_at=start + timedelta(weeks=2))
    for taken in (start + timedelta(weeks=1), single.starts_at):
        with pytest.raises(ApplicationError) as error:
            move(third, taken)
        assert error.value.status == 409 and START in error.value.message
    move(third, start + timedelta(weeks=2, hours=2))
    third.refresh_from_db()
    assert third.original_start == start + timedelta(weeks=2)


@pytest.mark.django_db
def test_a_move_from_a_stale_view_is_still_told_the_meeting_moved_meanwhile():
    """Where the meeting is now comes first: the person chose from an old view."""
    start, first, second = two_meetings()
    seen = (second.starts_at, second.duration_minutes)
    move(second, start + timedelta(hours=3), user=first.mentorship.mentee)
    with pytest.raises(services.MovedMeanwhile):
        move(second, start, seen=seen)
    with pytest.raises(services.MovedMeanwhile):
        move(second, start + timedelta(hours=5), seen=seen)


@pytest.mark.django_db(transaction=True)
def test_two_meetings_moved_onto_one_start_at_once_make_one_move(postgres_only):
    m = mentorship()
    start = tomorrow_at_ten() + timedelta(hours=3)
    first = schedule(m, start - timedelta(hours=2))
    second = schedule(m, start - timedelta(hours=1))
    outcomes = race(lambda: move(first, start), lambda: move(second, start, user=m.mentee))
    assert unexpected(outcomes) == []
    (refused,) = refusals(outcomes)
    assert refused.status == 409 and START in refused.message
    assert len([s for s in starts(m) if s == start]) == 1
    assert m.events.filter(kind="meeting_moved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_new_meeting_onto_one_start_at_once_make_one_meeting_there(postgres_only):
    m = mentorship()
    start = tomorrow_at_ten()
    found = schedule(m, start + timedelta(hours=1))
    outcomes = race(lambda: move(found, start), lambda: schedule(m, start, user=m.mentee))
    assert unexpected(outcomes) == []
    (refused,) = refusals(outcomes)
    assert refused.status == 409 and START in refused.message
    assert len([s for s in starts(m) if s == start]) == 1
