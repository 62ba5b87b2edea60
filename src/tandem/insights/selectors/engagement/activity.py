"""What the pairs did, counted per day in SQL: meetings held, messages sent and action items
due (and done on time). Counts only: no meeting, message or action item is ever read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.engagement.days import Period, UTCDay, as_date
from tandem.mentorships.models import ActionItem, ActionItemStatus, Meeting, MeetingStatus
from tandem.messaging.models import Message


def meetings_held(scope: InsightScope, period: Period) -> dict[date, int]:
    """Meetings held per day: not cancelled, not marked as not taken place, and started on
    that day (as health counts them)."""
    rows = (
        Meeting.objects.filter(
            mentorship__program_id__in=scope.program_ids,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=period.start_at,
            starts_at__lt=period.end_at,
        )
        .annotate(day=UTCDay("starts_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {as_date(row["day"]): row["n"] for row in rows}


def messages_sent(scope: InsightScope, period: Period) -> dict[date, int]:
    """Messages sent per day in the pairs' conversations (a message deleted later counts: it
    was sent)."""
    rows = (
        Message.objects.filter(
            conversation__program_id__in=scope.program_ids,
            conversation__mentorship__isnull=False,
            created_at__gte=period.start_at,
            created_at__lt=period.end_at,
        )
        .annotate(day=UTCDay("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {as_date(row["day"]): row["n"] for row in rows}


@dataclass(frozen=True)
class DueDay:
    due: int
    on_time: int


def action_items_due(scope: InsightScope, period: Period) -> dict[date, DueDay]:
    """Per due date: the action items due that day, and those marked done by the end of it
    (UTC). Items without a due date are never due."""
    rows = (
        ActionItem.objects.filter(
            mentorship__program_id__in=scope.program_ids,
            due_on__gte=period.first,
            due_on__lt=period.end,
        )
        .annotate(done_on=UTCDay("done_at"))
        .values("due_on")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(status=ActionItemStatus.DONE, done_on__lte=F("due_on"))),
        )
        .order_by()
    )
    return {
        as_date(row["due_on"]): DueDay(row["due"], row["on_time"])
        for row in rows
        if row["due_on"] is not None
    }
