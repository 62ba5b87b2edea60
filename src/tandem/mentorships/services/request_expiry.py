"""Pending requests run out: a reminder to the recipient shortly before, then expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse

from tandem.core.templatetags.readable_dates import when_in
from tandem.mentorships.models import MentorshipRequest, RequestState
from tandem.mentorships.scheduling import zone_of
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, reminder_claim

EXPIRY_REMINDER_BEFORE = timedelta(days=2)


def requests_expire(*, now: datetime) -> int:
    """Expire every pending request past its date; safe to run twice or concurrently."""
    expired = 0
    due = list(
        MentorshipRequest.objects.filter(
            state=RequestState.PENDING, expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            # The conditional update is the claim: a concurrent run or accept gets 0 rows.
            if not MentorshipRequest.objects.filter(
                pk=pk, state=RequestState.PENDING, expires_at__lte=now
            ).update(state=RequestState.EXPIRED, decided_at=now):
                continue
            request = MentorshipRequest.objects.select_related(
                "sender", "recipient", "program"
            ).get(pk=pk)
            notify_send(
                recipient=request.sender,
                kind=Kind.REQUEST_CLOSED,
                title=f"Your request to {request.recipient.display_name} expired",
                body="It had no answer in time. You can send a request to someone else.",
                url=reverse("request_inbox"),
            )
            notify_send(
                recipient=request.recipient,
                kind=Kind.REQUEST_CLOSED,
                title=f"The request from {request.sender.display_name} expired",
                url=reverse("request_inbox"),
            )
            expired += 1
    return expired


def requests_remind_expiring(*, now: datetime) -> int:
    """Remind recipients once, shortly before a request expires."""
    sent = 0
    soon = MentorshipRequest.objects.filter(
        state=RequestState.PENDING, expires_at__gt=now, expires_at__lte=now + EXPIRY_REMINDER_BEFORE
    ).select_related("sender", "recipient", "program")
    for request in soon:
        # Short expiry windows get their reminder at half-time, not at creation.
        if request.expires_at - now > timedelta(days=request.program.request_expiry_days) / 2:
            continue
        with transaction.atomic():
            if not reminder_claim(
                kind=Kind.REQUEST_EXPIRING,
                object_id=request.pk,
                recipient=request.recipient,
                slot="before-expiry",
            ):
                continue
            notify_send(
                recipient=request.recipient,
                kind=Kind.REQUEST_EXPIRING,
                title=f"{request.sender.display_name}'s request expires soon",
                body="Please accept or decline it before "
                f"{when_in(request.expires_at, zone_of(request.recipient))}.",
                url=reverse("request_detail", args=[request.pk]),
            )
            sent += 1
    return sent
