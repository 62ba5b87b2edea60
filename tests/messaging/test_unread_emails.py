"""One email per conversation for messages unread after the delay; none in quiet hours; none
again until the reader has caught up."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail

from tandem.messaging import services, unread_emails
from tandem.messaging.models import Message
from tandem.notify.models import Notification
from tandem.notify.periodic import registered_jobs
from tandem.notify.services import preference_update
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    m = mentorship()
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    return m, conversation


def send_at(user, conversation, when: datetime, body="Hi"):
    message, _ = services.message_send(
        user=user,
        conversation_id=conversation.pk,
        body=body,
        client_id=f"c{Message.objects.count()}",
    )
    Message.objects.filter(pk=message.pk).update(created_at=when)
    return message


NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def test_the_job_is_registered():
    assert registered_jobs()["messaging.unread_emails"] is unread_emails.unread_emails_send


def test_one_email_for_several_unread_messages_after_the_delay(
    pair, django_capture_on_commit_callbacks
):
    m, conversation = pair
    for n in range(3):
        send_at(m.mentor, conversation, NOON - timedelta(minutes=30 - n), f"n{n}")
    assert unread_emails.unread_emails_send(NOON - timedelta(minutes=20)) == 0  # not yet 15 min
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert unread_emails.unread_emails_send(NOON) == 1
    assert [message.to for message in mail.outbox] == [[m.mentee.email]]
    assert "3 messages" in mail.outbox[0].subject and "n0" not in mail.outbox[0].body
    assert unread_emails.unread_emails_send(NOON + timedelta(minutes=5)) == 0  # told once
    send_at(m.mentor, conversation, NOON + timedelta(minutes=1), "and another")
    assert unread_emails.unread_emails_send(NOON + timedelta(hours=1)) == 0  # not until they read


def test_reading_resets_and_a_later_batch_is_told_again(pair):
    m, conversation = pair
    first = send_at(m.mentor, conversation, NOON - timedelta(minutes=30))
    assert unread_emails.unread_emails_send(NOON) == 1
    services.conversation_mark_read(
        user=m.mentee, conversation_id=conversation.pk, last_read_id=first.pk
    )
    send_at(m.mentor, conversation, NOON + timedelta(minutes=10))
    assert unread_emails.unread_emails_send(NOON + timedelta(minutes=40)) == 1
    assert Notification.objects.filter(recipient=m.mentee, kind="message_unread").count() == 2


def test_read_in_time_means_no_email(pair):
    m, conversation = pair
    message = send_at(m.mentor, conversation, NOON - timedelta(minutes=30))
    services.conversation_mark_read(
        user=m.mentee, conversation_id=conversation.pk, last_read_id=message.pk
    )
    assert unread_emails.unread_emails_send(NOON) == 0


def test_quiet_hours_in_the_readers_zone_hold_the_email(pair):
    m, conversation = pair
    m.mentee.profile.timezone = "Asia/Tokyo"  # noon UTC is 21:00 in Tokyo
    m.mentee.profile.save()
    preference_update(
        user=m.mentee,
        email_kinds=["message_unread"],
        daily_digest=False,
        quiet_hours=(time(20, 0), time(7, 0)),
    )
    send_at(m.mentor, conversation, NOON - timedelta(minutes=30))
    assert unread_emails.unread_emails_send(NOON) == 0
    assert unread_emails.unread_emails_send(NOON + timedelta(hours=11)) == 1  # 08:00 in Tokyo


def test_preferences_decide_email_or_in_app_only(pair, django_capture_on_commit_callbacks):
    m, conversation = pair
    preference_update(user=m.mentee, email_kinds=[], daily_digest=False)
    send_at(m.mentor, conversation, NOON - timedelta(minutes=30))
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert unread_emails.unread_emails_send(NOON) == 1
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=m.mentee, kind="message_unread").exists()


def test_both_sides_are_told_about_their_own_unread(pair):
    m, conversation = pair
    send_at(m.mentor, conversation, NOON - timedelta(minutes=40))
    send_at(m.mentee, conversation, NOON - timedelta(minutes=30))  # reading the mentor's
    assert unread_emails.unread_emails_send(NOON) == 1
    assert Notification.objects.get(kind="message_unread").recipient == m.mentor
