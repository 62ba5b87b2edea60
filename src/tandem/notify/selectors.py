"""Reads about notifications: always the caller's own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tandem.notify.kinds import ALL_KINDS
from tandem.notify.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from tandem.people.models import User  # annotations only: people sits above notify


@dataclass
class Preference:
    email_kinds: list[str] = field(default_factory=lambda: list(ALL_KINDS))
    daily_digest: bool = False


def preference_for(*, user: User) -> Preference:
    found = NotificationPreference.objects.filter(user=user).first()
    if found is None:
        return Preference()
    return Preference(email_kinds=list(found.email_kinds), daily_digest=found.daily_digest)


def notification_list_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
