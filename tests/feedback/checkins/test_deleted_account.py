"""A deleted account is asked nothing and sent nothing (docs/people.md, *Deleting your
account*): no closing survey is made for it, no reminder goes to it, and no notification (nor
email) is stored for or sent to it, by any send."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.services.checkin_schedule import checkin_reminders_send, checkins_create_due
from tandem.mentorships.models import MentorshipState
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.notify.services import Notice, notify_refresh, notify_send, notify_send_bulk
from tandem.people.services.closing import account_delete
from tests.feedback.checkins.conftest import checkin
from tests.feedback.checkins.test_schedule import started
from tests.people.factories import PASSWORD


def delete(user) -> None:
    user.set_password(PASSWORD)
    user.save()
    account_delete(user=user, password=PASSWORD)


def test_no_closing_survey_for_the_deleted_side(world):
    started(world.pair, 10, cadence="quarterly")
    delete(world.pair.mentor)
    world.pair.refresh_from_db()
    assert world.pair.state == MentorshipState.ENDED_EARLY
    checkins_create_due(timezone.now() + timedelta(minutes=1))
    closing = CheckIn.objects.filter(mentorship=world.pair, kind=CheckInKind.CLOSING)
    assert list(closing.values_list("author_id", flat=True)) == [world.pair.mentee_id]


def test_no_reminder_for_a_deleted_author(world, django_capture_on_commit_callbacks):
    mentor = world.pair.mentor
    checkin(world.pair, mentor, kind=CheckInKind.CLOSING)
    checkin(world.pair, world.pair.mentee, kind=CheckInKind.CLOSING)
    delete(mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert checkin_reminders_send(timezone.now()) == 1
    reminded = Notification.objects.filter(kind=Kind.CHECKIN_DUE)
    assert list(reminded.values_list("recipient_id", flat=True)) == [world.pair.mentee_id]
    assert all("deleted.invalid" not in m.to[0] for m in mail.outbox)


def test_no_send_stores_or_emails_anything_for_a_deleted_account(
    world, django_capture_on_commit_callbacks
):
    gone, other = world.pair.mentor, world.pair.mentee
    delete(gone)
    gone.refresh_from_db()
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_send(recipient=gone, kind=Kind.CHECKIN_DUE, title="Hello") is None
        assert notify_refresh(recipient=gone, topic="t", kind=Kind.CHECKIN_DUE, title="Hi") is None
        sent = notify_send_bulk(
            kind=Kind.CHECKIN_DUE,
            notices=[Notice(recipient=gone, title="A"), Notice(recipient=other, title="B")],
        )
    assert [n.recipient_id for n in sent] == [other.pk]
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [other.pk]
    assert all("deleted.invalid" not in m.to[0] for m in mail.outbox)
