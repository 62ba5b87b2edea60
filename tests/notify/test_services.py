"""notify_send, preferences, digests, reminder claims, the live push, and the tick."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.notify import periodic, services
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification, SentReminder
from tandem.notify.selectors import notification_unread_count, preference_for
from tandem.notify.tasks import digests_run
from tests.mentorships.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_send_emails_after_commit_only(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify_send(
            recipient=user,
            kind=Kind.AGREEMENT,
            title="Signed",
            body="Version 2",
            url="/mentorships/1/",
        )
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Signed"
    assert "http" in mail.outbox[0].body and "/mentorships/1/" in mail.outbox[0].body
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_rolled_back_write_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify_send(recipient=user, kind=Kind.MEETING, title="x")
        raise RuntimeError
    assert mail.outbox == [] and not Notification.objects.exists()


def test_unknown_kind_rejected():
    with pytest.raises(ValueError):
        services.notify_send(recipient=UserFactory(), kind="nope", title="x")


def test_preferences_limit_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.preference_update(user=user, email_kinds=[Kind.MEETING], daily_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_send(recipient=user, kind=Kind.AGREEMENT, title="in-app only")
        services.notify_send(recipient=user, kind=Kind.MEETING, title="emailed")
    assert [m.subject for m in mail.outbox] == ["emailed"]
    assert notification_unread_count(user=user) == 2


def test_preferences_reject_unknown_kinds():
    with pytest.raises(ApplicationError) as error:
        services.preference_update(user=UserFactory(), email_kinds=["spam"], daily_digest=False)
    assert "email_kinds" in error.value.fields


def test_digest_bundles_once_a_day(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.preference_update(
        user=user, email_kinds=[Kind.MEETING, Kind.AGREEMENT], daily_digest=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_send(recipient=user, kind=Kind.MEETING, title="One")
        services.notify_send(recipient=user, kind=Kind.AGREEMENT, title="Two")
    assert mail.outbox == []
    morning = datetime(2030, 5, 1, 8, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_run(morning) == 1
        assert digests_run(morning) == 0
    assert len(mail.outbox) == 1 and "One" in mail.outbox[0].body and "Two" in mail.outbox[0].body
    assert digests_run(datetime(2030, 5, 1, 3, tzinfo=UTC)) == 0  # before the digest hour


def test_mark_read_only_own():
    user, other = UserFactory(), UserFactory()
    note = services.notify_send(recipient=user, kind=Kind.MEETING, title="x")
    with pytest.raises(ApplicationError) as error:
        services.notification_mark_read(user=other, notification_id=note.pk)
    assert error.value.status == 404
    assert services.notification_mark_read(user=user, notification_id=note.pk).read_at
    services.notify_send(recipient=user, kind=Kind.MEETING, title="y")
    assert services.notification_mark_all_read(user=user) == 1
    assert notification_unread_count(user=user) == 0


def test_reminder_claim_once():
    user = UserFactory()
    with transaction.atomic():
        assert services.reminder_claim(kind="k", object_id=1, recipient=user, slot="a")
        assert not services.reminder_claim(kind="k", object_id=1, recipient=user, slot="a")
        assert services.reminder_claim(kind="k", object_id=1, recipient=user, slot="b")
    assert SentReminder.objects.count() == 2


def test_live_event_pushed_to_person_group(django_capture_on_commit_callbacks):
    user = UserFactory()
    layer = mock.Mock()
    with (
        mock.patch("channels.layers.get_channel_layer", return_value=layer),
        mock.patch("tandem.notify.services.async_to_sync", side_effect=lambda f: f),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notify_send(recipient=user, kind=Kind.MEETING, title="Live")
    group, message = layer.group_send.call_args.args
    assert group == f"person.{user.pk}"
    assert message["type"] == "person.event" and message["payload"]["title"] == "Live"


def test_layer_errors_are_swallowed(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        mock.patch("channels.layers.get_channel_layer", side_effect=RuntimeError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notify_send(recipient=user, kind=Kind.MEETING, title="Still saved")
    assert Notification.objects.filter(title="Still saved").exists()


def test_default_preference_emails_everything():
    assert set(preference_for(user=UserFactory()).email_kinds) == set(Kind.values)


def test_periodic_registry_includes_every_job():
    assert {
        "notify.send_digests",
        "mentorships.expire_requests",
        "mentorships.send_due_reminders",
        "mentorships.midpoint_reviews",
    } <= set(periodic.registered_jobs())


def test_tandem_tick_runs_all_jobs():
    out = StringIO()
    call_command(
        "tandem_tick", "--now", (timezone.now() + timedelta(days=1)).isoformat(), stdout=out
    )
    assert "mentorships.send_due_reminders" in out.getvalue()
    assert "failed" not in out.getvalue()
