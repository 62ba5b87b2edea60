"""Reads about notifications: always the caller's own."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from tandem.notify.kinds import ALL_KINDS
from tandem.notify.models import Notification, NotificationPreference


@dataclass
class Preference:
    email_kinds: list[str] = field(default_factory=lambda: list(ALL_KINDS))
    daily_digest: bool = False


def preference_for(*, user) -> Preference:
    found = NotificationPreference.objects.filter(user=user).first()
    if found is None:
        return Preference()
    return Preference(email_kinds=list(found.email_kinds), daily_digest=found.daily_digest)


def notification_list_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
