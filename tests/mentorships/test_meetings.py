"""Meetings: scheduling rules, series (RRULE), moves and cancellations, notes' privacy,
suggested times across time zones and DST, and the .ics output parsed back."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import calendar as ics
from tandem.mentorships import scheduling, selectors, services
from tandem.mentorships.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MentorshipState,
    PrivateNote,
)
from tandem.mentorships.services import meetings as M
from tandem.mentorships.services.meeting_notes import AGENDA_OF_CANCELLED
from tandem.mentorships.views.meetings import PRIVATE_NOTE_EMPTY
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import availability, member, mentorship

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def soon(hours=24):
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def schedule(m, user=None, starts_at=None, minutes=45, **kwargs):
    starts_at = starts_at or soon()
    kwargs.setdefault("format", "video")
    return services.meeting_schedule(
        user=user or m.mentee,
        mentorship_id=m.pk,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **kwargs,
    )


class TestSchedule:
    def test_single_meeting_gets_jitsi_room_and_notifies(self):
        m = mentorship()
        meeting = schedule(m)
        assert meeting.video_url.startswith("https://meet.example.org/tandem-")
        assert meeting.duration_minutes == 45
        assert Notification.objects.filter(recipient=m.mentor, kind="meeting").exists()

    def test_pasted_link_is_kept(self):
        m = mentorship()
        meeting = schedule(m, video_url="https://zoom.us/j/123456")
        assert meeting.video_url == "https://zoom.us/j/123456"

    def test_bad_link_refused(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            schedule(m, video_url="javascript:alert(1)")
        assert error.value.fields == {"video_url": M.BAD_URL}
        assert not Meeting.objects.exists()

    def test_past_is_refused(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            schedule(m, starts_at=timezone.now() - timedelta(minutes=5))
        assert error.value.fields == {"starts_at": M.IN_THE_PAST}
        assert not Meeting.objects.exists()

    def test_ending_before_start_is_refused(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            schedule(m, minutes=-30)
        assert error.value.fields == {"ends_at": M.ENDS_BEFORE_START}
        assert not Meeting.objects.exists()

    def test_closed_mentorship_refused(self):
        m = mentorship(state=MentorshipState.COMPLETED)
        with pytest.raises(ApplicationError) as error:
            schedule(m)
        assert error.value.status == 409

    def test_admin_cannot_schedule(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            schedule(m, user=member(m.program, Role.ADMIN))
        assert error.value.status == 404

    def test_biweekly_series_with_count(self):
        m = mentorship()
        first = schedule(m, repeat="biweekly", count=4)
        series = first.series
        assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=4"
        starts = list(series.occurrences.order_by("starts_at").values_list("starts_at", flat=True))
        assert len(starts) == 4
        gaps = {b - a for a, b in zip(starts, starts[1:], strict=False)}
        assert gaps <= {
            timedelta(days=14),
            timedelta(days=14, hours=1),
            timedelta(days=14, hours=-1),
        }

    def test_series_until_agreement_end(self):
        m = mentorship(ends_on=date.today() + timedelta(weeks=9))
        first = schedule(m, repeat="weekly")
        assert "UNTIL=" in first.series.rrule
        assert 8 <= first.series.occurrences.count() <= 10

    @pytest.mark.parametrize(
        "cadence,rule",
        [
            ("weekly", "FREQ=WEEKLY"),
            ("biweekly", "FREQ=WEEKLY;INTERVAL=2"),
            ("monthly", "FREQ=MONTHLY"),
            ("quarterly", "FREQ=MONTHLY;INTERVAL=3"),
        ],
    )
    def test_cadence_rules(self, cadence, rule):
        assert scheduling.rrule_for(cadence, count=3) == f"{rule};COUNT=3"

    def test_series_keeps_wall_clock_across_dst(self):
        start = datetime(2030, 3, 18, 9, 0, tzinfo=LONDON).astimezone(UTC)
        occurrences = scheduling.expand("FREQ=WEEKLY;COUNT=3", starts_at=start, zone=LONDON)
        assert [o.astimezone(LONDON).hour for o in occurrences] == [9, 9, 9]
        assert [o.hour for o in occurrences] == [9, 9, 8]


class TestChanges:
    def test_reschedule_bumps_sequence_and_notifies(self, django_capture_on_commit_callbacks):
        m = mentorship()
        meeting = schedule(m)
        new_start = soon(48)
        with django_capture_on_commit_callbacks(execute=True):
            moved, was_moved = services.meeting_reschedule(
                user=m.mentor,
                meeting_id=meeting.pk,
                starts_at=new_start,
                ends_at=new_start + timedelta(hours=1),
            )
        assert (moved.starts_at, moved.duration_minutes, moved.sequence) == (new_start, 60, 1)
        assert was_moved
        assert Notification.objects.filter(recipient=m.mentee, title__contains="moved").exists()

    def test_the_same_time_again_is_no_move(self, django_capture_on_commit_callbacks):
        m = mentorship()
        meeting = schedule(m)
        with django_capture_on_commit_callbacks(execute=True):
            kept, was_moved = services.meeting_reschedule(
                user=m.mentor,
                meeting_id=meeting.pk,
                starts_at=meeting.starts_at,
                ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
            )
        assert not was_moved and kept.sequence == meeting.sequence
        assert not Notification.objects.filter(title__contains="moved").exists()

    def test_reschedule_into_past_changes_nothing(self):
        m = mentorship()
        meeting = schedule(m)
        past = timezone.now() - timedelta(hours=1)
        with pytest.raises(ApplicationError):
            services.meeting_reschedule(
                user=m.mentor,
                meeting_id=meeting.pk,
                starts_at=past,
                ends_at=past + timedelta(hours=1),
            )
        meeting.refresh_from_db()
        assert meeting.sequence == 0

    def test_cancel_once_then_refused(self):
        m = mentorship()
        meeting = schedule(m)
        services.meeting_cancel(user=m.mentor, meeting_id=meeting.pk)
        with pytest.raises(ApplicationError) as error:
            services.meeting_cancel(user=m.mentor, meeting_id=meeting.pk)
        assert error.value.message == M.ALREADY_CANCELLED

    def test_cancel_occurrence_and_series(self):
        m = mentorship()
        first = schedule(m, repeat="weekly", count=3)
        services.meeting_cancel(user=m.mentee, meeting_id=first.pk)
        assert MeetingSeries.objects.get().sequence == 1
        second = first.series.occurrences.order_by("starts_at")[1]
        services.meeting_series_cancel(user=m.mentee, meeting_id=second.pk)
        assert not Meeting.objects.filter(status=MeetingStatus.SCHEDULED).exists()
        with pytest.raises(ApplicationError):
            services.meeting_series_cancel(user=m.mentee, meeting_id=second.pk)


class TestNotes:
    def test_agenda_shared_and_private_notes(self):
        m = mentorship()
        meeting = schedule(m)
        services.agenda_item_add(user=m.mentor, meeting_id=meeting.pk, text="Talk abstract")
        services.agenda_item_add(user=m.mentee, meeting_id=meeting.pk, text="Slides")
        assert meeting.agenda_items.count() == 2
        services.meeting_notes_update(user=m.mentor, meeting_id=meeting.pk, shared_notes="Good")
        services.private_note_save(user=m.mentee, meeting_id=meeting.pk, body="Nervous")
        services.private_note_save(user=m.mentee, meeting_id=meeting.pk, body="Less nervous")
        assert selectors.private_note_for(user=m.mentee, meeting=meeting).body == "Less nervous"
        assert selectors.private_note_for(user=m.mentor, meeting=meeting) is None
        assert selectors.private_notes_for(user=m.mentor, mentorship=m) == []

    def test_an_empty_private_note_keeps_no_row(self, client):
        m = mentorship()
        meeting = schedule(m)
        client.force_login(m.mentee)
        services.private_note_save(user=m.mentee, meeting_id=meeting.pk, body="Nervous")
        url = reverse("meeting_private_note", args=[meeting.pk])
        response = client.post(url, {"body": " \r\n "}, follow=True)
        assert not PrivateNote.objects.exists()
        assert PRIVATE_NOTE_EMPTY in [str(message) for message in response.context["messages"]]

    def test_emptying_a_private_note_deletes_it_on_the_page_and_in_the_api(self, client):
        m = mentorship()
        meeting = schedule(m)
        client.force_login(m.mentee)
        services.private_note_save(user=m.mentee, meeting_id=meeting.pk, body="Nervous")
        client.post(reverse("meeting_private_note", args=[meeting.pk]), {"body": ""})
        assert not PrivateNote.objects.exists()
        services.private_note_save(user=m.mentee, meeting_id=meeting.pk, body="Nervous")
        response = client.put(
            f"/api/mentorships/meetings/{meeting.pk}/private-note",
            {"body": ""},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json() == {"meeting_id": meeting.pk, "body": "", "updated_at": None}
        assert not PrivateNote.objects.exists()

    def test_empty_agenda_item_refused(self):
        m = mentorship()
        meeting = schedule(m)
        with pytest.raises(ApplicationError) as error:
            services.agenda_item_add(user=m.mentor, meeting_id=meeting.pk, text="  ")
        assert "text" in error.value.fields

    def test_a_cancelled_meetings_agenda_takes_nothing(self, client):
        """A cancelled meeting will not be held, so nothing is added to its agenda: the service
        and the API refuse it in words, and its page no longer offers the form (the last
        review's leftover: both still took an item)."""
        m = mentorship()
        meeting = schedule(m)
        services.meeting_cancel(user=m.mentor, meeting_id=meeting.pk)
        with pytest.raises(ApplicationError) as error:
            services.agenda_item_add(user=m.mentee, meeting_id=meeting.pk, text="Slides")
        assert (error.value.status, error.value.message) == (409, AGENDA_OF_CANCELLED)
        client.force_login(m.mentee)
        api = client.post(
            f"/api/mentorships/meetings/{meeting.pk}/agenda",
            {"text": "Slides"},
            content_type="application/json",
        )
        assert (api.status_code, api.json()["detail"]) == (409, AGENDA_OF_CANCELLED)
        add_url = reverse("agenda_add", args=[meeting.pk])
        page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
        assert f'action="{add_url}"' not in page
        posted = client.post(add_url, {"text": "Slides"})
        assert posted.status_code == 409 and AGENDA_OF_CANCELLED in posted.content.decode()
        assert not meeting.agenda_items.exists()

    def test_outsider_cannot_write_notes(self):
        m = mentorship()
        meeting = schedule(m)
        admin = member(m.program, Role.ADMIN)
        for call in (
            lambda: services.private_note_save(user=admin, meeting_id=meeting.pk, body="x"),
            lambda: services.meeting_notes_update(
                user=admin, meeting_id=meeting.pk, shared_notes="x"
            ),
            lambda: services.agenda_item_add(user=admin, meeting_id=meeting.pk, text="x"),
        ):
            with pytest.raises(ApplicationError) as error:
                call()
            assert error.value.status == 404


class TestSuggestions:
    def test_overlap_across_zones(self):
        # Mentor in London free Mon 14:00-18:00; mentee in New York free Mon 09:00-12:00.
        # In January: London = UTC, New York = UTC-5 → overlap 14:00-17:00 UTC.
        now = datetime(2030, 1, 6, 12, 0, tzinfo=UTC)  # a Sunday
        found = scheduling.suggest_times(
            windows_a=[(0, 14 * 60, 18 * 60)],
            zone_a=LONDON,
            windows_b=[(0, 9 * 60, 12 * 60)],
            zone_b=NEW_YORK,
            now=now,
            duration_minutes=60,
            weeks=1,
        )
        assert found[0] == datetime(2030, 1, 7, 14, 0, tzinfo=UTC)
        assert all(
            s + timedelta(minutes=60) <= datetime(2030, 1, 7, 17, 0, tzinfo=UTC) for s in found
        )

    def test_dst_gap_between_us_and_uk_changes(self):
        # 2030: US clocks go forward 10 March, UK on 31 March. In between the overlap moves.
        windows_ny, windows_ldn = [(0, 9 * 60, 10 * 60)], [(0, 13 * 60, 15 * 60)]
        before = scheduling.suggest_times(
            windows_a=windows_ldn,
            zone_a=LONDON,
            windows_b=windows_ny,
            zone_b=NEW_YORK,
            now=datetime(2030, 3, 3, tzinfo=UTC),
            duration_minutes=60,
            weeks=1,
        )
        between = scheduling.suggest_times(
            windows_a=windows_ldn,
            zone_a=LONDON,
            windows_b=windows_ny,
            zone_b=NEW_YORK,
            now=datetime(2030, 3, 10, 12, tzinfo=UTC),
            duration_minutes=60,
            weeks=1,
        )
        assert before == [datetime(2030, 3, 4, 14, 0, tzinfo=UTC)]  # 09:00 EST = 14:00 UTC
        assert between == [datetime(2030, 3, 11, 13, 0, tzinfo=UTC)]  # 09:00 EDT = 13:00 UTC
        assert between[0].astimezone(LONDON).hour == 13
        assert between[0].astimezone(NEW_YORK).hour == 9

    def test_no_overlap(self):
        assert (
            scheduling.suggest_times(
                windows_a=[(0, 60, 120)],
                zone_a=LONDON,
                windows_b=[(3, 60, 120)],
                zone_b=LONDON,
                now=datetime(2030, 1, 1, tzinfo=UTC),
                duration_minutes=30,
            )
            == []
        )

    def test_selector_reads_profile_windows(self):
        m = mentorship()
        availability(m.mentor, *[(d, 0, 24 * 60) for d in range(7)])
        availability(m.mentee, *[(d, 10 * 60, 12 * 60) for d in range(7)])
        found = selectors.meeting_suggestions_for(mentorship=m, duration_minutes=30)
        assert found and all(10 <= s.hour < 12 for s in found)

    def test_suggestions_begin_on_a_start_date_still_ahead(self):
        """Journeys review: a mentorship starting on 15 March was offered December times."""
        m = mentorship()
        m.starts_on = timezone.localdate() + timedelta(days=60)
        m.save(update_fields=["starts_on"])
        for person in (m.mentor, m.mentee):
            availability(person, *[(d, 0, 24 * 60) for d in range(7)])
        found = selectors.meeting_suggestions_for(mentorship=m, duration_minutes=30)
        assert found and min(s.date() for s in found) >= m.starts_on - timedelta(days=1)
        assert max(s.date() for s in found) <= m.starts_on + timedelta(weeks=3)


class TestIcs:
    def parse(self, data: bytes) -> Calendar:
        return Calendar.from_ical(data)

    def test_single_meeting(self):
        m = mentorship()
        meeting = schedule(m)
        event = self.parse(ics.meeting_ics(meeting)).walk("VEVENT")[0]
        assert str(event["UID"]) == f"meeting-{meeting.pk}@tandem"
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTEND") == meeting.ends_at
        assert int(event["SEQUENCE"]) == 0
        assert meeting.video_url in str(event["DESCRIPTION"])

    def test_series_rrule_expands_to_our_occurrences_with_exdate(self):
        m = mentorship()
        m.mentee.profile.timezone = "Europe/London"
        m.mentee.profile.save()
        m.mentee.refresh_from_db()
        start = datetime(2031, 3, 17, 9, 0, tzinfo=LONDON)  # DST starts 30 March 2031
        first = schedule(m, starts_at=start.astimezone(UTC), repeat="biweekly", count=4)
        occurrences = list(first.series.occurrences.order_by("starts_at"))
        services.meeting_cancel(user=m.mentor, meeting_id=occurrences[1].pk)
        first = Meeting.objects.select_related("series", "mentorship").get(pk=first.pk)
        occurrences = list(first.series.occurrences.order_by("starts_at"))
        calendar = self.parse(ics.meeting_ics(first))
        assert calendar.walk("VTIMEZONE"), "a TZID needs its VTIMEZONE"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"series-{first.series_id}@tandem"
        assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["INTERVAL"] == [2]
        dtstart = event.decoded("DTSTART")
        rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=dtstart)
        excluded = (
            {d.dt.astimezone(UTC) for d in event["EXDATE"].dts}
            if not isinstance(event["EXDATE"], list)
            else {d.dt.astimezone(UTC) for x in event["EXDATE"] for d in x.dts}
        )
        expanded = [d.replace(tzinfo=dtstart.tzinfo).astimezone(UTC) for d in rule]
        kept = [d for d in expanded if d not in excluded]
        assert expanded == [o.starts_at for o in occurrences]
        assert kept == [o.starts_at for o in occurrences if o.status == "scheduled"]
        assert [d.astimezone(LONDON).hour for d in expanded] == [9, 9, 9, 9]
        assert int(event["SEQUENCE"]) == 1

    def test_moved_occurrence_is_its_own_event(self):
        m = mentorship()
        first = schedule(m, repeat="weekly", count=3)
        second = first.series.occurrences.order_by("starts_at")[1]
        new_start = second.starts_at + timedelta(hours=2)
        services.meeting_reschedule(
            user=m.mentor,
            meeting_id=second.pk,
            starts_at=new_start,
            ends_at=new_start + timedelta(minutes=30),
        )
        events = self.parse(ics.meeting_ics(first)).walk("VEVENT")
        assert {str(e["UID"]) for e in events} == {
            f"series-{first.series_id}@tandem",
            f"meeting-{second.pk}@tandem",
        }
        moved = next(e for e in events if str(e["UID"]).startswith("meeting-"))
        assert moved.decoded("DTSTART") == new_start and int(moved["SEQUENCE"]) == 1
        second.refresh_from_db()
        assert ics.meeting_ics(second).count(b"BEGIN:VEVENT") == 1

    def test_feed_has_cancelled_status(self):
        m = mentorship()
        single = schedule(m)
        schedule(m, starts_at=soon(72), repeat="monthly", count=2)
        services.meeting_cancel(user=m.mentee, meeting_id=single.pk)
        series, meetings = selectors.calendar_meetings_for(user=m.mentor)
        events = self.parse(ics.feed_ics(series=series, meetings=meetings)).walk("VEVENT")
        assert len(events) == 2
        cancelled = next(e for e in events if str(e["UID"]) == f"meeting-{single.pk}@tandem")
        assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1


def test_calendar_feed_token_regenerate_revokes():
    m = mentorship()
    feed = services.calendar_feed_ensure(user=m.mentee)
    assert len(feed.token) >= 43
    assert selectors.calendar_feed_user(token=feed.token) == m.mentee
    old = feed.token
    services.calendar_feed_regenerate(user=m.mentee)
    assert selectors.calendar_feed_user(token=old) is None
    assert services.calendar_feed_ensure(user=m.mentee).token != old


def test_scheduling_doctests():
    import doctest

    from tandem.mentorships import scheduling as module

    assert doctest.testmod(module).failed == 0
