"""Whether a past meeting took place: either of the pair may say it did not (a no-show) and
take that back. A meeting in the past and not called off otherwise counts as held everywhere
(health, engagement figures, the pair's pages); marked, it counts as a no-show instead."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import Meeting, MeetingStatus
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.selectors import access_meeting
from tandem.mentorships.services.common import event_add_and_notify_other
from tandem.mentorships.services.lifecycle import check_open
from tandem.mentorships.services.meetings import bump_series_sequence
from tandem.notify.kinds import Kind
from tandem.people.models import User

# How long after its start a meeting may still be marked either way: later, the figures
# and health it fed are settled.
MARK_WINDOW = timedelta(days=60)

CANCELLED_CANNOT_BE_MARKED = "This meeting was cancelled; there is nothing to mark."
NOT_STARTED_YET = (
    "This meeting has not started yet; you can say it did not take place once its time has come."
)
TOO_LONG_AGO = (
    "This meeting started more than 60 days ago; whether it took place can no longer be changed."
)


def _day_text(meeting: Meeting, user: User) -> str:
    return day_in(meeting.starts_at, zone_of(user))


def attendance_refusal(meeting: Meeting, now: datetime) -> str | None:
    """Why nobody may say at ``now`` whether ``meeting`` took place, or None when either of
    the pair may (its mentorship's state aside): the pages offer the buttons only then."""
    if meeting.status == MeetingStatus.CANCELLED:
        return CANCELLED_CANNOT_BE_MARKED
    if meeting.starts_at > now:
        return NOT_STARTED_YET
    if meeting.starts_at < now - MARK_WINDOW:
        return TOO_LONG_AGO
    return None


def check_meeting_markable(meeting: Meeting) -> None:
    check_open(meeting.mentorship)
    refusal = attendance_refusal(meeting, timezone.now())
    if refusal is not None:
        raise ApplicationError(refusal, status=409)


def _set_status(meeting: Meeting, *, status: str, by: User | None) -> None:
    """Save the new status; the sequence goes up so subscribed calendars take the change (a
    meeting that did not take place leaves them as a cancelled one does)."""
    meeting.status = status
    meeting.missed_marked_by = by
    meeting.missed_marked_at = timezone.now() if by is not None else None
    meeting.sequence += 1
    meeting.save(
        update_fields=[
            "status",
            "missed_marked_by",
            "missed_marked_at",
            "sequence",
            "updated_at",
        ]
    )
    bump_series_sequence(meeting)


def _mark(
    actor: User, meeting: Meeting, *, status: str, notice: dict[str, str]
) -> tuple[Meeting, bool]:
    """Set ``status`` under the row lock and tell the other participant once; a meeting
    already in that status changes and sends nothing. Returns the meeting and whether this
    call changed it (the other side may have been first since the caller read it), so the
    caller says "your partner has been told" only when they were. ``notice``: the event's
    name, its summary and the title and body of the notification (``{actor}`` and ``{day}``
    filled in, the day in the reader's time zone)."""
    with transaction.atomic():
        locked = access_meeting(user=actor, meeting_id=meeting.pk, for_update=True)
        check_meeting_markable(locked)
        if locked.status == status:
            return locked, False
        _set_status(locked, status=status, by=actor if status == MeetingStatus.MISSED else None)
        names = {
            "actor": actor.display_name,
            "day": _day_text(locked, locked.mentorship.other(actor)),
        }
        event_add_and_notify_other(
            mentorship=locked.mentorship,
            actor=actor,
            event=notice["event"],
            summary=notice["summary"].format(**names),
            kind=Kind.MEETING,
            title=notice["title"].format(**names),
            body=notice["body"],
        )
    return locked, True


def meeting_mark_missed(*, actor: User, meeting: Meeting) -> tuple[Meeting, bool]:
    """Say that ``meeting`` did not take place (only its two participants, once it has
    started, within :data:`MARK_WINDOW`). The other participant is told once; marking a
    meeting already marked changes and sends nothing. Returns the meeting and whether this
    call marked it."""
    return _mark(
        actor,
        meeting,
        status=MeetingStatus.MISSED,
        notice={
            "event": "meeting_missed",
            "summary": "{actor} marked a meeting as not taken place.",
            "title": "{actor} marked the meeting on {day} as not taken place",
            "body": "It no longer counts as a meeting held. Either of you can undo this on "
            "the meeting's page.",
        },
    )


def meeting_mark_held(*, actor: User, meeting: Meeting) -> tuple[Meeting, bool]:
    """Undo :func:`meeting_mark_missed`: the meeting took place after all (same rules). A
    meeting not marked as missed is left as it is and nobody is told. Returns the meeting and
    whether this call changed it."""
    return _mark(
        actor,
        meeting,
        status=MeetingStatus.SCHEDULED,
        notice={
            "event": "meeting_held",
            "summary": "{actor} said a meeting did take place after all.",
            "title": "{actor} says the meeting on {day} did take place",
            "body": "It counts as a meeting held again.",
        },
    )
