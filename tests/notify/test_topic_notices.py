"""``notify_refresh``: a rewrite of an unread notice is pushed as a refresh (the badge counted
every rewrite as one more unread: 4 became 6 while the API said 4), and a rewrite after the
notice was emailed re-arms it for the next daily run (it was rewritten unsaid: a partner
emailed of version 3 never heard of versions 4 to 6)."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import TestCase

from tandem.notify import services
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.notify.selectors import notification_unread_count
from tandem.notify.tasks import digests_run
from tandem.people.models import User
from tests.mentorships.factories import UserFactory

pytestmark = pytest.mark.django_db

TOPIC = "agreement:1"
MORNING = datetime(2030, 5, 1, 8, tzinfo=UTC)


def refresh(user: User, version: int) -> Notification:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.notify_refresh(
            recipient=user, topic=TOPIC, kind=Kind.AGREEMENT, title=f"Read version {version}"
        )


def run_daily() -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return digests_run(MORNING)


def test_a_rewrite_is_pushed_as_a_refresh_that_adds_no_unread(monkeypatch):
    user = UserFactory()
    pushed: list[tuple[int, dict]] = []
    monkeypatch.setattr(services, "_push_payloads", pushed.extend)
    first = refresh(user, 3)
    refresh(user, 4)
    assert [payload.get("refresh", False) for _, payload in pushed] == [False, True]
    assert {payload["id"] for _, payload in pushed} == {first.pk}
    assert notification_unread_count(user=user) == 1


@pytest.mark.parametrize("digest", [False, True], ids=["email-as-it-comes", "daily-digest"])
def test_a_rewrite_after_the_email_is_told_once_in_the_next_daily_run(digest):
    user = UserFactory()
    services.preference_update(user=user, email_kinds=[Kind.AGREEMENT], daily_digest=digest)
    refresh(user, 3)
    if digest:
        assert run_daily() == 1
    assert len(mail.outbox) == 1  # told of version 3
    for version in (4, 5, 6):
        refresh(user, version)
    assert len(mail.outbox) == 1  # no email per save
    tomorrow = MORNING.replace(day=2) if digest else MORNING
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert digests_run(tomorrow) == 1
        assert digests_run(tomorrow) == 0
    assert len(mail.outbox) == 2
    assert "Read version 6" in mail.outbox[-1].body
    (notice,) = Notification.objects.filter(recipient=user)
    assert notice.emailed_at is not None


def test_a_read_or_unemailed_notice_is_not_reminded():
    user = UserFactory()
    services.preference_update(user=user, email_kinds=[], daily_digest=False)
    refresh(user, 3)
    refresh(user, 4)
    reader = UserFactory()
    notice = refresh(reader, 3)
    refresh(reader, 4)
    services.notification_mark_read(user=reader, notification_id=notice.pk)
    assert run_daily() == 0
    assert len(mail.outbox) == 1  # the reader's version 3, as it came
