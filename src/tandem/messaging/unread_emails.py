"""The email about messages left unread: once per conversation and person, outside their
quiet hours, and not again until they have read what it was about (a periodic job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from tandem.messaging import selectors
from tandem.messaging.models import (
    Conversation,
    ReadMarker,
)
from tandem.messaging.services import conversation_url
from tandem.notify.kinds import Kind
from tandem.notify.selectors import in_quiet_hours
from tandem.notify.services import notify_send
from tandem.people.models import User


def unread_emails_send(now: datetime) -> int:
    """Tell each person once about messages they have not read for
    ``settings.MESSAGE_EMAIL_DELAY_MINUTES``: one notification per conversation (by email as
    their preferences say), none during their quiet hours, and none again until they have read
    what the last one was about. Returns how many were sent."""
    delay = timedelta(minutes=settings.MESSAGE_EMAIL_DELAY_MINUTES)
    sent = 0
    for conversation_id, person_id in selectors.waiting_unread(before=now - delay):
        with transaction.atomic():
            sent += _tell_of_unread(conversation_id, person_id, now=now, before=now - delay)
    return sent


def _tell_of_unread(
    conversation_id: int, person_id: int, *, now: datetime, before: datetime
) -> int:
    conversation = Conversation.objects.select_related("program").get(pk=conversation_id)
    person = User.objects.select_related("profile").get(pk=person_id)
    zone = getattr(getattr(person, "profile", None), "timezone", None) or "UTC"
    if in_quiet_hours(user=person, zone=zone, now=now):
        return 0
    marker, _ = ReadMarker.objects.select_for_update().get_or_create(
        conversation=conversation, person=person
    )
    if marker.emailed_up_to_id > marker.last_read_id:
        return 0  # told already; not again until they read
    waiting = conversation.messages.exclude(sender=person).filter(
        pk__gt=marker.last_read_id, deleted_at__isnull=True
    )
    newest = waiting.aggregate(newest=Max("pk"))["newest"]
    if newest is None or not waiting.filter(created_at__lte=before).exists():
        return 0
    other = conversation.mentor if person.pk == conversation.mentee_id else conversation.mentee
    count = waiting.count()
    notify_send(
        recipient=person,
        kind=Kind.MESSAGE_UNREAD,
        title=f"{other.display_name} sent you {count} message{'s' if count != 1 else ''}",
        body=f"In {conversation.program.name}. Read and answer them in Tandem.",
        url=conversation_url(conversation),
    )
    marker.emailed_up_to_id = newest
    marker.save(update_fields=["emailed_up_to_id"])
    return 1
