"""One reminder per check-in, by the person's preferences, outside their quiet hours, never
once it is answered; two runs (or two workers) send one."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from tandem.feedback.models import CheckIn
from tandem.feedback.services import checkin_schedule as service
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.notify.services import preference_update
from tests.feedback.checkins.conftest import checkin


def reminders():
    return Notification.objects.filter(kind=Kind.CHECKIN_DUE)


def test_one_reminder_per_check_in(world, django_capture_on_commit_callbacks):
    mine = checkin(world.pair, world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        assert service.checkin_reminders_send(timezone.now()) == 1
        assert service.checkin_reminders_send(timezone.now()) == 0
    sent = reminders().get()
    assert sent.recipient == world.mentee
    assert sent.url == f"/feedback/checkins/{mine.pk}/"
    assert len(mail.outbox) == 1


def test_none_before_it_is_due_nor_once_answered(world):
    checkin(world.pair, world.mentee, due_at=timezone.now() + timedelta(hours=1))
    checkin(world.pair, world.mentor, answered_at=timezone.now(), answers={"progress": 3})
    assert service.checkin_reminders_send(timezone.now()) == 0


def test_no_email_when_the_person_turned_it_off(world, django_capture_on_commit_callbacks):
    preference_update(user=world.mentee, email_kinds=[], daily_digest=False)
    checkin(world.pair, world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        service.checkin_reminders_send(timezone.now())
    assert reminders().count() == 1
    assert mail.outbox == []


def test_quiet_hours_on_their_clock_wait(world):
    mine = checkin(world.pair, world.mentee)
    now = timezone.now()
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    preference_update(
        user=world.mentee, email_kinds=[], daily_digest=False, quiet_hours=(start, end)
    )
    assert service.checkin_reminders_send(now) == 0
    assert CheckIn.objects.get(pk=mine.pk).reminded_at is None
    assert service.checkin_reminders_send(now + timedelta(hours=2)) == 1
