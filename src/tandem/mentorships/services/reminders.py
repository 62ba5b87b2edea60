"""Reminders sent by the periodic jobs: each is claimed once per recipient and slot, so two
workers running the same job at once still send one."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from tandem.core.templatetags.readable_dates import day_in, when_in
from tandem.mentorships.models import (
    OPEN_STATES,
    ActionItem,
    ActionItemStatus,
    Meeting,
    MeetingStatus,
)
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.services.common import mentorship_url
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, reminder_claim

DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)


def meetings_remind(*, now: datetime) -> int:
    """A reminder a day before and an hour before each meeting, in each person's own zone.

    A meeting scheduled less than an hour ahead gets only the hour reminder. The slot names
    the start time, so a moved meeting is reminded afresh.
    """
    sent = 0
    meetings = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        mentorship__state__in=OPEN_STATES,
        starts_at__gt=now,
        starts_at__lte=now + DAY_BEFORE,
    ).select_related(
        "mentorship",
        "mentorship__mentor",
        "mentorship__mentee",
        "mentorship__mentor__profile",
        "mentorship__mentee__profile",
    )
    for meeting in meetings:
        label = "hour" if meeting.starts_at - now <= HOUR_BEFORE else "day"
        slot = f"{label}:{meeting.starts_at.isoformat()}"
        mentorship = meeting.mentorship
        for person in (mentorship.mentor, mentorship.mentee):
            other = mentorship.other(person)
            with transaction.atomic():
                if not reminder_claim(
                    kind=Kind.MEETING_REMINDER, object_id=meeting.pk, recipient=person, slot=slot
                ):
                    continue
                soon = "in an hour" if label == "hour" else "tomorrow"
                body = (
                    f"With {other.display_name} on {when_in(meeting.starts_at, zone_of(person))}."
                )
                if meeting.video_url:
                    body += f"\nJoin: {meeting.video_url}"
                notify_send(
                    recipient=person,
                    kind=Kind.MEETING_REMINDER,
                    title=f"Meeting with {other.display_name} {soon}",
                    body=body,
                    url=mentorship_url(mentorship),
                )
                sent += 1
    return sent


def action_items_remind_overdue(*, now: datetime) -> int:
    """Tell both people once when an open action item passes its due date (in their zone)."""
    sent = 0
    candidates = (
        ActionItem.objects.filter(
            status=ActionItemStatus.OPEN,
            mentorship__state__in=OPEN_STATES,
            due_on__lt=(now + timedelta(days=1)).date(),
        )
        .filter(~Q(due_on=None))
        .select_related(
            "owner",
            "mentorship",
            "mentorship__mentor",
            "mentorship__mentee",
            "mentorship__mentor__profile",
            "mentorship__mentee__profile",
        )
    )
    for item in candidates:
        mentorship = item.mentorship
        due_on = item.due_on
        assert due_on is not None  # the query keeps items with a due date
        for person in (mentorship.mentor, mentorship.mentee):
            if due_on >= now.astimezone(zone_of(person)).date():
                continue
            with transaction.atomic():
                if not reminder_claim(
                    kind=Kind.ACTION_ITEM_OVERDUE,
                    object_id=item.pk,
                    recipient=person,
                    slot=due_on.isoformat(),
                ):
                    continue
                whose = "Yours" if person.pk == item.owner_id else item.owner.display_name + "'s"
                notify_send(
                    recipient=person,
                    kind=Kind.ACTION_ITEM_OVERDUE,
                    title=f"Overdue since {day_in(due_on)}: {item.description[:80]}",
                    body=f"{whose}. Mark it done, or agree a new date together.",
                    url=mentorship_url(mentorship),
                )
                sent += 1
    return sent
