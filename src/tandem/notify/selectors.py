"""Reads about notifications: always the caller's own."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.notify.kinds import ALL_KINDS
from tandem.notify.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from tandem.people.models import User  # annotations only: people sits above notify


@dataclass
class Preference:
    email_kinds: list[str] = field(default_factory=lambda: list(ALL_KINDS))
    daily_digest: bool = False
    quiet_from: time | None = None
    quiet_until: time | None = None


def preference_for(*, user: User) -> Preference:
    found = NotificationPreference.objects.filter(user=user).first()
    if found is None:
        return Preference()
    return Preference(
        email_kinds=list(found.email_kinds),
        daily_digest=found.daily_digest,
        quiet_from=found.quiet_from,
        quiet_until=found.quiet_until,
    )


def in_quiet_hours(*, user: User, zone: str, now: datetime) -> bool:
    """Whether ``now`` falls in the person's quiet hours, read on their clock in ``zone`` (the
    caller knows the person's time zone; notify sits below people). Quiet hours may run past
    midnight (22:00 to 07:00)."""
    preference = preference_for(user=user)
    start, end = preference.quiet_from, preference.quiet_until
    if start is None or end is None or start == end:
        return False
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(zone)).time()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = now.astimezone(UTC).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def notification_list_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


NOTIFICATION_NOT_FOUND = "That notification does not exist."


def access_notification(
    *, user: User, notification_id: int, for_update: bool = False
) -> Notification:
    """One of the caller's own notifications; someone else's is missing too. ``for_update``
    locks it (inside ``transaction.atomic`` only)."""
    qs = lockable(Notification.objects.all(), for_update=for_update)
    notification = qs.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound(NOTIFICATION_NOT_FOUND)
    return notification


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
