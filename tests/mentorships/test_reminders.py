"""Reminders go out once (even with two workers), at the right moments, in each person's zone."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from tandem.mentorships import services
from tandem.mentorships.models import Mentorship
from tandem.notify.models import Notification
from tandem.notify.periodic import run_periodic_jobs
from tandem.programs.models import Role
from tests.mentorships.factories import (
    ProgramFactory,
    UserFactory,
    action_item,
    meeting,
    member,
    mentorship,
)

pytestmark = pytest.mark.django_db


def pair_in_zones():
    program = ProgramFactory()
    mentor = member(program, Role.MENTOR, timezone="Asia/Tokyo")
    mentee = member(program, Role.MENTEE, timezone="America/Los_Angeles")
    return mentorship(program=program, mentor=mentor, mentee=mentee)


def test_day_and_hour_reminders_once_each_in_own_zone(django_capture_on_commit_callbacks):
    m = pair_in_zones()
    mt = meeting(m, in_hours=20)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meetings_remind(now=now) == 2
        assert services.meetings_remind(now=now) == 0
    assert len(mail.outbox) == 2
    by_recipient = {msg.to[0]: msg for msg in mail.outbox}
    tokyo = mt.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%H:%M} JST" in by_recipient[m.mentor.email].body
    la = by_recipient[m.mentee.email].body
    assert " PST." in la or " PDT." in la
    later = mt.starts_at - timedelta(minutes=50)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meetings_remind(now=later) == 2
        assert services.meetings_remind(now=later) == 0
    assert Notification.objects.filter(kind="meeting_reminder").count() == 4
    assert "in an hour" in mail.outbox[-1].subject


def test_moved_meeting_is_reminded_again():
    m = mentorship()
    mt = meeting(m, in_hours=10)
    assert services.meetings_remind(now=timezone.now()) == 2
    new_start = mt.starts_at + timedelta(hours=2)
    services.meeting_reschedule(
        user=m.mentor,
        meeting_id=mt.pk,
        starts_at=new_start,
        ends_at=new_start + timedelta(minutes=30),
    )
    assert services.meetings_remind(now=timezone.now()) == 2


def test_cancelled_and_closed_not_reminded():
    m = mentorship()
    mt = meeting(m, in_hours=5)
    services.meeting_cancel(user=m.mentor, meeting_id=mt.pk)
    meeting(mentorship(state="completed"), in_hours=5)
    assert services.meetings_remind(now=timezone.now()) == 0


def test_overdue_action_items_flagged_once(django_capture_on_commit_callbacks):
    m = mentorship()
    action_item(m, due_on=date.today() - timedelta(days=2))
    action_item(m, due_on=date.today() + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_items_remind_overdue(now=timezone.now()) == 2
        assert services.action_items_remind_overdue(now=timezone.now()) == 0
    assert len(mail.outbox) == 2


def test_overdue_subject_writes_the_day_as_the_pages_do(django_capture_on_commit_callbacks):
    """Journeys review: the email subject read "Overdue since 20 December" where the pages
    write "20 Dec" (``readable_dates.day_in``, the ``day`` filter's format)."""
    m = mentorship()
    due = date.today() - timedelta(days=2)
    action_item(m, due_on=due)
    with django_capture_on_commit_callbacks(execute=True):
        services.action_items_remind_overdue(now=timezone.now())
    subjects = {msg.subject for msg in mail.outbox}
    assert subjects == {f"Overdue since {due.day} {due:%b %Y}: Draft the talk outline"}


def test_run_periodic_jobs_twice_sends_one_email(django_capture_on_commit_callbacks):
    m = mentorship()
    meeting(m, in_hours=3)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        run_periodic_jobs(now)
        run_periodic_jobs(now)
    assert sorted(msg.to[0] for msg in mail.outbox) == sorted([m.mentor.email, m.mentee.email])


# PostgreSQL: real concurrency ---------------------------------------------------------------


def _in_threads(target, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_jobs_send_one_email(postgres_only):
    m = mentorship()
    meeting(m, in_hours=3)
    now = timezone.now()
    results, errors = _in_threads(lambda i: services.meetings_remind(now=now), n=4)
    assert errors == []
    assert sum(results) == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_never_exceed_capacity(postgres_only):
    program = ProgramFactory()
    mentor = member(program, Role.MENTOR, capacity=1)
    requests = [
        services.request_create(
            sender=member(program, Role.MENTEE),
            program_id=program.pk,
            recipient_id=mentor.pk,
            message="Please",
        )
        for _ in range(3)
    ]
    results, errors = _in_threads(
        lambda i: services.request_accept(user=mentor, request_id=requests[i].pk), n=3
    )
    assert len(results) == 1
    assert len(errors) == 2 and all("capacity" in str(e.message) for e in errors)
    assert Mentorship.objects.filter(mentor=mentor).count() == 1


def test_userfactory_has_profile():
    assert UserFactory().profile.timezone == "UTC"


def test_reminder_text_right_after_dst_change(django_capture_on_commit_callbacks):
    """A 09:00 London meeting the day after clocks go forward reads 09:00 BST, not 08:00."""
    import zoneinfo
    from datetime import datetime

    from tandem.mentorships.models import Meeting

    program = ProgramFactory()
    mentor = member(program, Role.MENTOR, timezone="Europe/London")
    mentee = member(program, Role.MENTEE, timezone="Europe/London")
    m = mentorship(program=program, mentor=mentor, mentee=mentee)
    start = datetime(2031, 3, 31, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    Meeting.objects.create(mentorship=m, starts_at=start, duration_minutes=30, format="call")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meetings_remind(now=start - timedelta(hours=20)) == 2
    assert "09:00 BST" in mail.outbox[0].body
