"""Saying a past meeting did not take place, and taking it back: who may, when, what the other
side is told (once), what the pair's pages and calendars then show."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships import calendar as ics
from tandem.mentorships import selectors, services
from tandem.mentorships.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MentorshipEvent,
    MentorshipState,
)
from tandem.mentorships.services import attendance
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.notify.services import preference_update
from tests.mentorships.factories import meeting, mentorship, non_participants

pytestmark = pytest.mark.django_db

SIDES = ["mentor", "mentee"]


def past(m, hours: float = 2, **kwargs) -> Meeting:
    return meeting(m, in_hours=-hours, **kwargs)


def notices(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=Kind.MEETING).values_list(
            "title", flat=True
        )
    )


def events(m) -> list[str]:
    return list(m.events.order_by("pk").values_list("kind", flat=True))


@pytest.mark.parametrize("side", SIDES)
def test_either_participant_marks_it_and_the_other_is_told_once(side):
    m = mentorship()
    actor = getattr(m, side)
    other = m.other(actor)
    held = past(m)
    marked, changed = services.meeting_mark_missed(actor=actor, meeting=held)
    assert changed
    marked.refresh_from_db()
    assert marked.status == MeetingStatus.MISSED
    assert marked.missed_marked_by == actor
    assert marked.missed_marked_at is not None
    assert marked.sequence == 1
    day = day_in(held.starts_at, UTC)  # the other side's zone
    assert notices(other) == [
        f"{actor.display_name} marked the meeting on {day} as not taken place"
    ]
    assert notices(actor) == []
    assert events(m) == ["meeting_missed"]


@pytest.mark.parametrize("side", SIDES)
def test_a_second_identical_call_changes_and_sends_nothing(
    side, django_capture_on_commit_callbacks
):
    m = mentorship()
    actor = getattr(m, side)
    held = past(m)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_mark_missed(actor=actor, meeting=held)
    first = Meeting.objects.get(pk=held.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_mark_missed(actor=actor, meeting=held)[1] is False
        # The other side repeating it is the same fact: still nothing new.
        assert services.meeting_mark_missed(actor=m.other(actor), meeting=held)[1] is False
    again = Meeting.objects.get(pk=held.pk)
    assert (again.sequence, again.missed_marked_at, again.missed_marked_by_id) == (
        first.sequence,
        first.missed_marked_at,
        actor.pk,
    )
    assert len(notices(m.other(actor))) == 1 and notices(actor) == []
    assert len(mail.outbox) == 1
    assert events(m) == ["meeting_missed"]


@pytest.mark.parametrize("side", SIDES)
def test_either_side_takes_it_back_and_the_other_is_told(side):
    m = mentorship()
    held = past(m)
    services.meeting_mark_missed(actor=m.mentor, meeting=held)
    actor = getattr(m, side)
    services.meeting_mark_held(actor=actor, meeting=held)
    services.meeting_mark_held(actor=actor, meeting=held)  # again: nothing more
    held.refresh_from_db()
    assert held.status == MeetingStatus.SCHEDULED
    assert (held.missed_marked_by, held.missed_marked_at) == (None, None)
    assert held.sequence == 2
    assert events(m) == ["meeting_missed", "meeting_held"]
    said = [t for t in notices(m.other(actor)) if "did take place" in t]
    assert len(said) == 1 and said[0].startswith(f"{actor.display_name} says the meeting on ")


def test_saying_a_meeting_nobody_marked_took_place_does_nothing():
    m = mentorship()
    held = past(m)
    services.meeting_mark_held(actor=m.mentee, meeting=held)
    held.refresh_from_db()
    assert (held.status, held.sequence) == (MeetingStatus.SCHEDULED, 0)
    assert notices(m.mentor) == [] and events(m) == []


def test_the_other_sides_email_follows_their_preferences(django_capture_on_commit_callbacks):
    m = mentorship()
    preference_update(user=m.mentor, email_kinds=[], daily_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_mark_missed(actor=m.mentee, meeting=past(m))
    assert mail.outbox == []  # no email: in the app only
    assert len(notices(m.mentor)) == 1
    preference_update(user=m.mentee, email_kinds=[Kind.MEETING], daily_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_mark_missed(actor=m.mentor, meeting=past(m, hours=30))
    assert [message.to for message in mail.outbox] == [[m.mentee.email]]


@pytest.mark.parametrize("mark", [services.meeting_mark_missed, services.meeting_mark_held])
def test_a_meeting_still_to_come_cannot_be_marked(mark):
    m = mentorship()
    later = meeting(m, in_hours=1)
    with pytest.raises(ApplicationError) as error:
        mark(actor=m.mentee, meeting=later)
    assert (error.value.message, error.value.status) == (attendance.NOT_STARTED_YET, 409)
    later.refresh_from_db()
    assert later.status == MeetingStatus.SCHEDULED and notices(m.mentor) == []


def test_a_meeting_under_way_can_be_marked():
    m = mentorship()
    started = meeting(m, in_hours=-0.1)
    marked, _ = services.meeting_mark_missed(actor=m.mentee, meeting=started)
    assert marked.status == "missed"


@pytest.mark.parametrize("mark", [services.meeting_mark_missed, services.meeting_mark_held])
def test_a_cancelled_meeting_cannot_be_marked(mark):
    m = mentorship()
    cancelled = past(m, status=MeetingStatus.CANCELLED)
    with pytest.raises(ApplicationError) as error:
        mark(actor=m.mentor, meeting=cancelled)
    assert error.value.message == attendance.CANCELLED_CANNOT_BE_MARKED
    cancelled.refresh_from_db()
    assert cancelled.status == MeetingStatus.CANCELLED and events(m) == []


def test_the_window_closes_sixty_days_after_the_start():
    m = mentorship()
    inside = past(m, hours=59 * 24)
    outside = past(m, hours=61 * 24)
    services.meeting_mark_missed(actor=m.mentee, meeting=inside)
    with pytest.raises(ApplicationError) as error:
        services.meeting_mark_missed(actor=m.mentee, meeting=outside)
    assert (error.value.message, error.value.status) == (attendance.TOO_LONG_AGO, 409)
    Meeting.objects.filter(pk=inside.pk).update(starts_at=timezone.now() - timedelta(days=61))
    with pytest.raises(ApplicationError) as error:
        services.meeting_mark_held(actor=m.mentee, meeting=inside)
    assert error.value.message == attendance.TOO_LONG_AGO
    assert Meeting.objects.get(pk=inside.pk).status == MeetingStatus.MISSED


@pytest.mark.parametrize("who", ["admin", "stranger", "same_program"])
@pytest.mark.parametrize("mark", [services.meeting_mark_missed, services.meeting_mark_held])
def test_nobody_outside_the_pair_may_mark(who, mark):
    m = mentorship()
    held = past(m)
    if mark is services.meeting_mark_held:
        services.meeting_mark_missed(actor=m.mentor, meeting=held)
    status = Meeting.objects.get(pk=held.pk).status
    with pytest.raises(NotFound):
        mark(actor=non_participants(m)[who], meeting=held)
    assert Meeting.objects.get(pk=held.pk).status == status


def test_another_pairs_participant_may_not_mark():
    m, other_pair = mentorship(), mentorship()
    with pytest.raises(NotFound):
        services.meeting_mark_missed(actor=other_pair.mentee, meeting=past(m))


def test_an_ended_mentorship_is_not_changed():
    m = mentorship(state=MentorshipState.COMPLETED)
    with pytest.raises(ApplicationError) as error:
        services.meeting_mark_missed(actor=m.mentee, meeting=past(m))
    assert error.value.status == 409


def test_the_row_is_locked_while_it_is_marked(monkeypatch):
    seen = []
    real = selectors.access_meeting

    def spy(**kwargs):
        seen.append(kwargs.get("for_update"))
        return real(**kwargs)

    monkeypatch.setattr(attendance, "access_meeting", spy)
    m = mentorship()
    services.meeting_mark_missed(actor=m.mentee, meeting=past(m))
    assert seen == [True]


def test_the_admins_overview_counts_it_apart_from_the_meetings_held():
    m = mentorship()
    services.meeting_mark_missed(actor=m.mentee, meeting=past(m))
    past(m, hours=30)
    overview = selectors.mentorship_overview(mentorship=m)
    assert (overview.meetings_held, overview.meetings_missed) == (1, 1)


# Calendars: a meeting that did not take place leaves them as a cancelled one does -----------


def _events(data: bytes) -> list:
    return [c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT"]


def test_a_single_meeting_marked_is_cancelled_in_the_calendar_and_back_when_undone():
    m = mentorship()
    held = past(m)
    services.meeting_mark_missed(actor=m.mentee, meeting=held)
    (event,) = _events(ics.meeting_ics(Meeting.objects.get(pk=held.pk)))
    assert (str(event["status"]), int(event["sequence"])) == ("CANCELLED", 1)
    services.meeting_mark_held(actor=m.mentor, meeting=held)
    (event,) = _events(ics.meeting_ics(Meeting.objects.get(pk=held.pk)))
    assert (str(event["status"]), int(event["sequence"])) == ("CONFIRMED", 2)


def test_a_series_occurrence_marked_is_excluded_from_the_feed():
    m = mentorship()
    start = timezone.now() - timedelta(days=15)
    series = MeetingSeries.objects.create(
        mentorship=m,
        rrule="FREQ=WEEKLY;COUNT=4",
        starts_at=start,
        timezone="UTC",
        duration_minutes=45,
        format="video",
    )
    occurrences = [
        Meeting.objects.create(
            mentorship=m,
            series=series,
            original_start=start + timedelta(weeks=n),
            starts_at=start + timedelta(weeks=n),
            duration_minutes=45,
            format="video",
        )
        for n in range(4)
    ]
    services.meeting_mark_missed(actor=m.mentor, meeting=occurrences[1])
    feed, meetings = selectors.calendar_meetings_for(user=m.mentee)
    (event,) = _events(ics.feed_ics(series=feed, meetings=meetings))
    excluded = [d.dt for d in event["exdate"].dts]
    assert excluded == [occurrences[1].starts_at.replace(microsecond=0)]
    assert str(event["status"]) == "CONFIRMED" and int(event["sequence"]) == 1
    services.meeting_mark_held(actor=m.mentee, meeting=occurrences[1])
    feed, meetings = selectors.calendar_meetings_for(user=m.mentee)
    (event,) = _events(ics.feed_ics(series=feed, meetings=meetings))
    assert "exdate" not in event and int(event["sequence"]) == 2


def test_the_next_meeting_skips_it_once_marked():
    m = mentorship()
    started = meeting(m, in_hours=-0.5)
    assert selectors.meeting_next(mentorship=m) == started
    services.meeting_mark_missed(actor=m.mentee, meeting=started)
    assert selectors.meeting_next(mentorship=m) is None


def test_the_timeline_summary_names_no_date_or_text():
    m = mentorship()
    services.meeting_mark_missed(actor=m.mentee, meeting=past(m, shared_notes="Secret"))
    summary = MentorshipEvent.objects.get(mentorship=m).summary
    assert summary == f"{m.mentee.display_name} marked a meeting as not taken place."


@pytest.mark.django_db(transaction=True)
def test_both_sides_at_once_mark_it_once(postgres_only):
    """Under the row lock the second call sees the first's mark and does nothing."""
    import threading

    from django.db import connection

    m = mentorship()
    held = past(m)
    barrier = threading.Barrier(2)
    errors = []

    def run(actor):
        try:
            barrier.wait()
            services.meeting_mark_missed(actor=actor, meeting=held)
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in (m.mentor, m.mentee)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert events(m) == ["meeting_missed"]
    assert Notification.objects.filter(kind=Kind.MEETING).count() == 1
    assert Meeting.objects.get(pk=held.pk).sequence == 1
