"""Writes about notifications. ``notify_send`` is what other apps call, inside their
transaction: the row is written with their changes and delivered only after they commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from tandem.core.exceptions import ApplicationError
from tandem.core.saving import model_update
from tandem.core.text import one_line
from tandem.notify.kinds import ALL_KINDS
from tandem.notify.models import Notification, NotificationPreference, SentReminder
from tandem.notify.selectors import Preference, access_notification, preference_for

if TYPE_CHECKING:
    from tandem.people.models import User  # annotations only: people sits above notify

logger = logging.getLogger(__name__)

UNKNOWN_KIND = "Unknown notification kind: {kind}."
TITLE_MAX_LENGTH = Notification._meta.get_field("title").max_length


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def push_live(*, user_id: int, payload: dict) -> None:
    """Send ``payload`` to the person's open pages (their websocket group); a missing or
    failing channel layer never breaks the write that called it."""
    push_live_each(user_ids=[user_id], payload=payload)


def push_live_each(*, user_ids: Iterable[int], payload: dict) -> None:
    """``push_live`` to several people in one hop to the event loop (a sync caller pays one
    ``async_to_sync`` however many groups it reaches)."""
    _push_payloads([(user_id, payload) for user_id in user_ids])


def _push_payloads(sends: list[tuple[int, dict]]) -> None:
    """Each ``(user id, payload)`` to that person's open pages, in one hop to the event loop."""
    messages: list[tuple[str, dict[str, Any]]] = [
        (person_group(user_id), {"type": "person.event", "payload": payload})
        for user_id, payload in sends
    ]
    try:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        if len(messages) == 1:
            async_to_sync(layer.group_send)(*messages[0])
        else:
            async_to_sync(_group_send_each)(layer, messages)
    except Exception:  # noqa: BLE001 - live delivery is best effort
        events = ", ".join(sorted({str(event["payload"].get("event")) for _, event in messages}))
        groups = [group for group, _ in messages]
        logger.warning("Could not push %s live to %s", events, groups, exc_info=True)


async def _group_send_each(layer: Any, messages: list[tuple[str, dict[str, Any]]]) -> None:
    await asyncio.gather(*(layer.group_send(group, event) for group, event in messages))


def _live_payload(notification: Notification) -> dict:
    return {
        "event": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "url": notification.url,
    }


def _push_live(notification: Notification) -> None:
    push_live(user_id=notification.recipient_id, payload=_live_payload(notification))


def _title(title: str) -> str:
    """A title as stored: it is an e-mail subject, one line (a line break is refused there)."""
    return one_line(title)[:TITLE_MAX_LENGTH]


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def _email(notification: Notification) -> None:
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{absolute_url(notification.url)}".strip()
    try:
        # A title stored before titles were kept to one line would make the header refused.
        send_mail(one_line(notification.title), body, None, [notification.recipient.email])
    except Exception:  # noqa: BLE001 - the in-app copy stays; the digest can retry
        logger.warning("Could not email notification %s", notification.pk, exc_info=True)
        return
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def reachable(user: User) -> bool:
    """Whether anyone reads what is sent to ``user``: not a deleted account (nor one a site
    admin deactivated), so nothing is stored for it and no email goes to its address. Every
    send below asks this one question."""
    return user.is_active


def notify_send(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    topic: str = "",
) -> Notification | None:
    """Tell ``recipient`` (in the app, and by email as their preferences say); nothing, and
    ``None``, for an account nobody reads any more (``reachable``)."""
    if kind not in ALL_KINDS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind))
    if not reachable(recipient):
        return None
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=_title(title), body=body, url=url, topic=topic
    )
    wants_now = email and _emails_now(preference_for(user=recipient), kind)

    def deliver() -> None:
        _push_live(notification)
        if wants_now:
            _email(notification)

    transaction.on_commit(deliver)
    return notification


def notify_refresh(
    *, recipient: User, topic: str, kind: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """News on ``topic`` (e.g. ``agreement:<mentorship id>``) kept in one notice while the
    recipient has not read it: their unread notice on the topic is rewritten in place (moved
    to the top, pushed live as a refresh, not emailed at once); with none unread, a new one is
    sent as ``notify_send`` does. So many changes between two looks cost one email now.

    A rewrite of a notice already emailed re-arms it (``emailed_at`` cleared): the email told
    of older news, so the next daily run (``digest_send``) emails the latest once, for digest
    readers and email-as-it-comes readers alike, instead of leaving it unsaid."""
    if not reachable(recipient):
        return None
    unread = (
        Notification.objects.select_for_update()
        .filter(recipient=recipient, topic=topic, read_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    if unread is None:
        return notify_send(
            recipient=recipient, kind=kind, title=title, body=body, url=url, topic=topic
        )
    model_update(
        unread,
        {
            "kind": kind,
            "title": _title(title),
            "body": body,
            "url": url,
            "created_at": timezone.now(),
            "emailed_at": None,
        },
    )
    payload = {**_live_payload(unread), "refresh": True}  # the unread count is unchanged
    transaction.on_commit(lambda: push_live(user_id=recipient.pk, payload=payload))
    return unread


def notifications_settle(*, recipient: User, topic: str) -> int:
    """Mark the recipient's unread notices on ``topic`` read: they acted on it (signed, or
    proposed a version of their own), so the next news on it is new to them. Returns how many."""
    return Notification.objects.filter(
        recipient=recipient, topic=topic, read_at__isnull=True
    ).update(read_at=timezone.now())


def _emails_now(preference: Preference | NotificationPreference, kind: str) -> bool:
    """Whether a notification of ``kind`` is emailed as it comes (not in a digest, not never)."""
    return kind in preference.email_kinds and not preference.daily_digest


@dataclass(frozen=True)
class Notice:
    """One notification of ``notify_send_bulk``."""

    recipient: User
    title: str
    body: str = ""
    url: str = ""


def notify_send_bulk(*, kind: str, notices: Sequence[Notice]) -> list[Notification]:
    """``notify_send`` for many notices at once (a published match run: two per pair) in a
    bounded number of queries: one insert, one read of preferences. After commit, one hop to
    the channel layer pushes them live, and the emails go to a worker
    (``notifications_email_task``) instead of being sent one by one in the request."""
    if kind not in ALL_KINDS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind))
    notices = [notice for notice in notices if reachable(notice.recipient)]
    if not notices:
        return []
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=notice.recipient,
            kind=kind,
            title=_title(notice.title),
            body=notice.body,
            url=notice.url,
        )
        for notice in notices
    )
    found = NotificationPreference.objects.filter(
        user_id__in={notice.recipient.pk for notice in notices}
    ).in_bulk(field_name="user_id")
    emailed = [
        n.pk for n in notifications if _emails_now(found.get(n.recipient_id, Preference()), kind)
    ]

    def deliver() -> None:
        _push_payloads([(n.recipient_id, _live_payload(n)) for n in notifications])
        if emailed:
            notifications_email_task.enqueue(ids=emailed)

    transaction.on_commit(deliver)
    return notifications


def notifications_email(*, ids: Iterable[int]) -> int:
    """Email the notifications ``ids`` not emailed yet (a retried task sends none twice)."""
    pending = Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
    sent = 0
    for notification in pending.select_related("recipient").order_by("pk"):
        _email(notification)
        sent += 1
    return sent


@task()
def notifications_email_task(ids: list[int]) -> int:
    """``notifications_email`` on a worker: a bulk send's emails leave the request."""
    return notifications_email(ids=ids)


def notify_send_each(
    *, recipients: Iterable[User], kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """The same notification to several people (a program's admins), each delivered by their
    own preferences: by email now, in their digest, or in the app only."""
    sent = (
        notify_send(recipient=person, kind=kind, title=title, body=body, url=url)
        for person in recipients
    )
    return [notification for notification in sent if notification is not None]


def notifications_withdraw(*, urls: Iterable[str]) -> int:
    """Remove every notice that links to one of ``urls``, for something withdrawn (a check-in
    no longer asked), so nobody follows a notice to a page that is gone. Returns how many."""
    deleted, _ = Notification.objects.filter(url__in=list(urls)).delete()
    return deleted


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    with transaction.atomic():
        notification = access_notification(user=user, notification_id=notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    with transaction.atomic():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )


QUIET_HOURS_BOTH = "Give both ends of your quiet hours, or neither."
QUIET_HOURS_EMPTY = (
    "Quiet hours that end when they start hold nothing: give two different times, or leave "
    "both empty for no quiet hours."
)
KEEP: Any = object()  # ``preference_update``: leave this setting as it is


def quiet_hours_errors(start: time | None, end: time | None) -> dict[str, str]:
    """The one rule for quiet hours (the API through ``preference_update``, the settings page
    through its form): both ends or neither, and not one moment (00:00 to 00:00 silently meant
    none)."""
    if (start is None) != (end is None):
        return {"quiet_from" if start is None else "quiet_until": QUIET_HOURS_BOTH}
    if start is not None and start == end:
        return {"quiet_until": QUIET_HOURS_EMPTY}
    return {}


def preference_update(
    *,
    user: User,
    email_kinds: list[str],
    daily_digest: bool,
    quiet_hours: tuple[time | None, time | None] = KEEP,
) -> NotificationPreference:
    """Save a person's choices; quiet hours stay as they were unless given (an API client that
    does not know them must not erase them)."""
    unknown = sorted(set(email_kinds) - set(ALL_KINDS))
    if unknown:
        raise ApplicationError(
            "Some kinds are unknown.",
            fields={"email_kinds": UNKNOWN_KIND.format(kind=", ".join(unknown))},
        )
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
            user=user, defaults={"email_kinds": ALL_KINDS}
        )
        values: dict[str, Any] = {
            "email_kinds": [kind for kind in ALL_KINDS if kind in set(email_kinds)],
            "daily_digest": daily_digest,
        }
        if quiet_hours is not KEEP:
            start, end = quiet_hours
            if errors := quiet_hours_errors(start, end):
                (message,) = errors.values()
                raise ApplicationError(message, fields=errors, status=422)
            values.update(quiet_from=start, quiet_until=end)
        model_update(preference, values)
    return preference


def reminder_claim(*, kind: str, object_id: int, recipient: User, slot: str) -> bool:
    """Claim the right to send one reminder; False when it was already claimed.

    Call inside the caller's transaction so the claim commits with the notification it
    guards. The savepoint keeps the caller's transaction usable after a duplicate.
    """
    try:
        with transaction.atomic():
            SentReminder.objects.create(
                kind=kind, object_id=object_id, recipient=recipient, slot=slot
            )
    except IntegrityError:
        return False
    return True


def digest_send(*, user: User, now: datetime, rearmed_only: bool = False) -> int:
    """Email one day's unemailed notifications as one message; 0 when nothing to send. With
    ``rearmed_only`` (a person emailed as news comes), only unread topic notices rewritten
    after their email (``notify_refresh``): at most one reminder a day of the latest news."""
    slot = now.astimezone(UTC).date().isoformat()
    with transaction.atomic():
        pending_query = Notification.objects.select_for_update().filter(
            recipient=user,
            emailed_at__isnull=True,
            kind__in=preference_for(user=user).email_kinds,
        )
        if rearmed_only:
            pending_query = pending_query.filter(read_at__isnull=True).exclude(topic="")
        pending = list(pending_query.order_by("created_at", "pk"))
        if not pending:
            return 0
        if not reminder_claim(kind="digest", object_id=user.pk, recipient=user, slot=slot):
            return 0
        lines = []
        for notification in pending:
            lines.append(f"• {one_line(notification.title)}")
            if notification.body:
                lines.append(f"  {notification.body}")
            if notification.url:
                lines.append(f"  {absolute_url(notification.url)}")
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
        count = len(pending)
        subject = f"Tandem: {count} update{'s' if count != 1 else ''} today"
        transaction.on_commit(lambda: send_mail(subject, "\n".join(lines), None, [user.email]))
    return count
