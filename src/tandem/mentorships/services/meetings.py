"""Meetings: schedule one or a series on the agreed cadence, move, cancel; calendar feeds.
The agenda and notes are in ``meeting_notes``."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tandem.core.dates import DATE_OUT_OF_RANGE, date_in_range
from tandem.core.exceptions import ApplicationError
from tandem.core.locking import lockable
from tandem.core.templatetags.readable_dates import day_in, when_in
from tandem.mentorships.models import (
    CalendarFeed,
    Meeting,
    MeetingFormat,
    MeetingSeries,
    MeetingStatus,
    Mentorship,
)
from tandem.mentorships.scheduling import MAX_OCCURRENCES, expand, rrule_for, zone_of
from tandem.mentorships.selectors import access_meeting, access_mentorship
from tandem.mentorships.services.common import event_add_and_notify_other
from tandem.mentorships.services.lifecycle import check_open
from tandem.mentorships.services.meeting_places import BAD_URL as BAD_URL
from tandem.mentorships.services.meeting_places import (
    check_location,
    check_video_url,
    video_room_url,
)
from tandem.notify.kinds import Kind
from tandem.people.choices import Cadence
from tandem.people.models import User

IN_THE_PAST = "That time has already passed; pick a time in the future."
ENDS_BEFORE_START = "The meeting must end after it starts."
NO_OFFSET = "Give the time with its UTC offset, e.g. 2027-01-15T14:30:00+01:00."
TOO_LONG = "A meeting can last at most 8 hours."
BAD_FORMAT = "Choose video, call, in person or chat."
BAD_CADENCE = "Choose weekly, biweekly, monthly or quarterly."
MIN_OCCURRENCES = 2  # fewer is one meeting, not a series
BAD_COUNT = f"A series has between {MIN_OCCURRENCES} and {MAX_OCCURRENCES} meetings."
UNTIL_BEFORE_START = "The series must end after its first meeting."
NO_END_FOR_SERIES = (
    "Say how many meetings, or an end date: the agreement has no end date to stop at."
)
AGREEMENT_ENDS_FIRST = "The agreement ends on {end}, before this meeting: say how many meetings."
ALREADY_CANCELLED = "This meeting is already cancelled."
ALREADY_HAPPENED = "This meeting has already taken place; it cannot be changed."
NOT_IN_SERIES = "This meeting is not part of a series."
SERIES_ALREADY_CANCELLED = "This series is already cancelled."
MOVED_MEANWHILE = (
    "This meeting was moved to {when} while you had this page open. Check the new time, "
    "then move it again if you still need to."
)

SAME_START = (
    "There is already a meeting of this mentorship at {when}; "
    "open it from the mentorship page, or pick another time."
)
# Starts closer than this are the same start: the API hands a start out to the millisecond,
# a page to the second, and the demo stores microseconds.
SAME_START_WITHIN = timedelta(seconds=1)
MIN_MINUTES = 5  # a shorter meeting is kept as 5 minutes
MAX_MINUTES = 480


def _check_times(starts_at: datetime, ends_at: datetime) -> int:
    """The meeting's length in minutes, to the nearest minute: a start stored with a fraction
    of a second (``10:00:00.123``, as the API hands it out) to ``11:00`` is 60 minutes, not 59."""
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if timezone.is_naive(value):
            raise ApplicationError(NO_OFFSET, fields={field: NO_OFFSET})
        if not date_in_range(value):
            raise ApplicationError(DATE_OUT_OF_RANGE, fields={field: DATE_OUT_OF_RANGE})
    if starts_at <= timezone.now():
        raise ApplicationError(IN_THE_PAST, fields={"starts_at": IN_THE_PAST})
    if ends_at <= starts_at:
        raise ApplicationError(ENDS_BEFORE_START, fields={"ends_at": ENDS_BEFORE_START})
    minutes = (ends_at - starts_at + timedelta(seconds=30)) // timedelta(minutes=1)
    if minutes > MAX_MINUTES:
        raise ApplicationError(TOO_LONG, fields={"ends_at": TOO_LONG})
    return max(minutes, MIN_MINUTES)


def _local_text(moment: datetime, user: User) -> str:
    return when_in(moment, zone_of(user))


def meeting_schedule(
    *,
    user: User,
    mentorship_id: int,
    starts_at: datetime,
    ends_at: datetime,
    format: str,
    video_url: str = "",
    location: str = "",
    repeat: str = "",
    count: int | None = None,
    until: date | None = None,
) -> Meeting:
    """One meeting, or with ``repeat`` (a cadence) a series: an RRULE plus one row per
    occurrence. Returns the first meeting."""
    minutes = _check_times(starts_at, ends_at)
    if not date_in_range(until):
        raise ApplicationError(DATE_OUT_OF_RANGE, fields={"until": DATE_OUT_OF_RANGE})
    if format not in MeetingFormat.values:
        raise ApplicationError(BAD_FORMAT, fields={"format": BAD_FORMAT})
    video_url = check_video_url(video_url)
    location = check_location(location)
    if format == MeetingFormat.VIDEO and not video_url:
        video_url = video_room_url()
    if repeat and repeat not in Cadence.values:
        raise ApplicationError(BAD_CADENCE, fields={"repeat": BAD_CADENCE})
    if repeat and count is not None and not MIN_OCCURRENCES <= count <= MAX_OCCURRENCES:
        raise ApplicationError(BAD_COUNT, fields={"count": BAD_COUNT})
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        check_open(mentorship)
        common = {
            "mentorship": mentorship,
            "duration_minutes": minutes,
            "format": format,
            "video_url": video_url,
            "location": location,
            "created_by": user,
        }
        if not repeat:
            _check_no_meeting_at(mentorship=mentorship, starts=[starts_at], user=user)
            meeting = Meeting.objects.create(starts_at=starts_at, **common)
            summary = f"{user.display_name} scheduled a meeting."
            body = _local_text(starts_at, mentorship.other(user))
        else:
            meeting = _schedule_series(
                user=user,
                mentorship=mentorship,
                starts_at=starts_at,
                repeat=repeat,
                count=count,
                until=until,
                common=common,
            )
            summary = f"{user.display_name} scheduled a {repeat} series of meetings."
            occurrences = Meeting.objects.filter(series_id=meeting.series_id).count()
            body = (
                f"{occurrences} meetings, the first on "
                f"{_local_text(starts_at, mentorship.other(user))}"
            )
        event_add_and_notify_other(
            mentorship=mentorship,
            actor=user,
            event="meeting_scheduled",
            summary=summary,
            kind=Kind.MEETING,
            title=f"{user.display_name} scheduled "
            f"{'a meeting' if not repeat else 'a series of meetings'}",
            body=body,
        )
    return meeting


def _schedule_series(
    *,
    user: User,
    mentorship: Mentorship,
    starts_at: datetime,
    repeat: str,
    count: int | None,
    until: date | None,
    common: dict,
) -> Meeting:
    zone = zone_of(user)
    until_at = None
    if count is None:
        chosen = until is not None
        until = until or mentorship.ends_on
        if until is None:
            raise ApplicationError(NO_END_FOR_SERIES, fields={"count": NO_END_FOR_SERIES})
        until_at = datetime.combine(until, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
        if until_at <= starts_at and chosen:
            raise ApplicationError(UNTIL_BEFORE_START, fields={"until": UNTIL_BEFORE_START})
        if until_at <= starts_at:  # the page has no end date: name the agreement's (pages review)
            message = AGREEMENT_ENDS_FIRST.format(end=day_in(until))
            raise ApplicationError(message, fields={"count": message})
    rule = rrule_for(repeat, count=count, until=until_at)
    starts = expand(rule, starts_at=starts_at, zone=zone)
    _check_no_meeting_at(mentorship=mentorship, starts=starts, user=user)
    series = MeetingSeries.objects.create(
        rrule=rule, starts_at=starts_at, timezone=str(zone.key), **common
    )
    Meeting.objects.bulk_create(
        [
            Meeting(series=series, original_start=start, starts_at=start, **common)
            for start in starts
        ]
    )
    first = series.occurrences.order_by("starts_at").first()
    assert first is not None  # a series always holds its first meeting
    return first


def _check_no_meeting_at(
    *, mentorship: Mentorship, starts: list[datetime], user: User, moving: Meeting | None = None
) -> None:
    """Refuse a start at which a scheduled meeting of the mentorship already begins: a double
    click, both people booking the slot they agreed, or a meeting moved onto another's start
    (``moving``, which does not count against itself). Call with the mentorship locked, so two
    requests take turns and the second finds the first's meeting."""
    at_a_start = Q()
    for start in starts:
        at_a_start |= Q(
            starts_at__gt=start - SAME_START_WITHIN, starts_at__lt=start + SAME_START_WITHIN
        )
    others = Meeting.objects.filter(
        at_a_start, mentorship=mentorship, status=MeetingStatus.SCHEDULED
    )
    if moving is not None:
        others = others.exclude(pk=moving.pk)
    taken = others.order_by("starts_at").first()
    if taken is not None:
        message = SAME_START.format(when=_local_text(taken.starts_at, user))
        raise ApplicationError(message, fields={"starts_at": message}, status=409)


def check_meeting_changeable(meeting: Meeting) -> None:
    """Raises unless the meeting may still be moved or cancelled (open, scheduled, to come)."""
    check_open(meeting.mentorship)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(ALREADY_CANCELLED, status=409)
    if meeting.starts_at <= timezone.now():
        raise ApplicationError(ALREADY_HAPPENED, status=409)


def bump_series_sequence(meeting: Meeting) -> None:
    if meeting.series_id:
        MeetingSeries.objects.filter(pk=meeting.series_id).update(sequence=F("sequence") + 1)


def meeting_cancel(*, user: User, meeting_id: int) -> Meeting:
    with transaction.atomic():
        meeting = access_meeting(user=user, meeting_id=meeting_id, for_update=True)
        check_meeting_changeable(meeting)
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence", "updated_at"])
        bump_series_sequence(meeting)
        other = meeting.mentorship.other(user)
        event_add_and_notify_other(
            mentorship=meeting.mentorship,
            actor=user,
            event="meeting_cancelled",
            summary=f"{user.display_name} cancelled a meeting.",
            kind=Kind.MEETING,
            title=f"{user.display_name} cancelled your meeting",
            body=f"The meeting on {_local_text(meeting.starts_at, other)} is off.",
            due_at=meeting.starts_at,
        )
    return meeting


def meeting_series_cancel(*, user: User, meeting_id: int) -> MeetingSeries:
    """Cancel every future meeting of the series this meeting belongs to. The meetings are
    locked before the series, in pk order (the lock order in docs/mentorships.md), as ending
    the mentorship and cancelling or moving one meeting lock them: both people cancelling the
    series at once, from any of its meetings, take turns and the second is told it is
    cancelled already."""
    with transaction.atomic():
        meeting = access_meeting(user=user, meeting_id=meeting_id)
        check_open(meeting.mentorship)
        if not meeting.series_id:
            raise ApplicationError(NOT_IN_SERIES, status=409)
        now = timezone.now()
        occurrences = list(
            lockable(
                Meeting.objects.filter(
                    series_id=meeting.series_id, status=MeetingStatus.SCHEDULED, starts_at__gt=now
                ).order_by("pk"),
                for_update=True,
            )
        )
        series = lockable(MeetingSeries.objects.all(), for_update=True).get(pk=meeting.series_id)
        # Whoever held the locks may have ended the mentorship (cancelling the series with it).
        meeting.mentorship.refresh_from_db()
        check_open(meeting.mentorship)
        if series.cancelled_at:
            raise ApplicationError(SERIES_ALREADY_CANCELLED, status=409)
        for occurrence in occurrences:
            occurrence.status = MeetingStatus.CANCELLED
            occurrence.sequence += 1
            occurrence.save(update_fields=["status", "sequence", "updated_at"])
        series.cancelled_at = now
        series.sequence += 1
        series.save(update_fields=["cancelled_at", "sequence"])
        event_add_and_notify_other(
            mentorship=meeting.mentorship,
            actor=user,
            event="series_cancelled",
            summary=f"{user.display_name} cancelled the rest of a meeting series.",
            kind=Kind.MEETING,
            title=f"{user.display_name} cancelled your remaining series meetings",
            due_at=min((occurrence.starts_at for occurrence in occurrences), default=None),
        )
    return series


class MovedMeanwhile(ApplicationError):
    """The meeting is no longer where the person saw it: someone moved it since."""

    def __init__(self, meeting: Meeting, user: User):
        message = MOVED_MEANWHILE.format(when=_local_text(meeting.starts_at, user))
        super().__init__(message, fields={"starts_at": message}, status=409)


def same_place(meeting: Meeting, starts_at: datetime, minutes: int) -> bool:
    """Whether a meeting is at this start (to the second) and length. Within a second is the
    same start: the API hands a start out to the millisecond, a page to the second, and a start
    stored with microseconds (the demo's) sent back as read must be no move."""
    near = abs(starts_at - meeting.starts_at) < SAME_START_WITHIN
    return near and minutes == meeting.duration_minutes


def meeting_reschedule(
    *,
    user: User,
    meeting_id: int,
    starts_at: datetime,
    ends_at: datetime,
    seen: tuple[datetime, int] | None = None,
) -> tuple[Meeting, bool]:
    """Move a meeting, and whether it moved: the same time and length again (a page saved as it
    opened) is no move, so no new sequence and nobody is told. ``seen`` is the start and length
    the person chose from; if the meeting moved since (the partner moved it), nothing is saved
    and :class:`MovedMeanwhile` says where it is now: the last save must not silently undo
    the partner's move. A start another scheduled meeting of the mentorship has is refused as
    when scheduling, under the mentorship's lock, taken before the meeting's (the lock order in
    docs/mentorships.md): two meetings moved onto one start at once, or a move and a new
    meeting there, take turns and the second is refused."""
    minutes = _check_times(starts_at, ends_at)
    with transaction.atomic():
        mentorship_id = access_meeting(user=user, meeting_id=meeting_id).mentorship_id
        access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        meeting = access_meeting(user=user, meeting_id=meeting_id, for_update=True)
        check_meeting_changeable(meeting)
        if same_place(meeting, starts_at, minutes):
            return meeting, False
        if seen is not None and not same_place(meeting, *seen):
            raise MovedMeanwhile(meeting, user)
        _check_no_meeting_at(
            mentorship=meeting.mentorship, starts=[starts_at], user=user, moving=meeting
        )
        old = meeting.starts_at
        meeting.starts_at = starts_at
        meeting.duration_minutes = minutes
        meeting.sequence += 1
        meeting.booked_at = timezone.now()
        meeting.save(
            update_fields=["starts_at", "duration_minutes", "sequence", "booked_at", "updated_at"]
        )
        bump_series_sequence(meeting)
        other = meeting.mentorship.other(user)
        event_add_and_notify_other(
            mentorship=meeting.mentorship,
            actor=user,
            event="meeting_moved",
            summary=f"{user.display_name} moved a meeting.",
            kind=Kind.MEETING,
            title=f"{user.display_name} moved your meeting",
            body=f"From {_local_text(old, other)} to {_local_text(starts_at, other)}.",
            # Due at the earlier start: a meeting moved earlier and held there is behind the
            # last meeting held, not a call-off in a row.
            due_at=min(old, starts_at),
        )
    return meeting, True


def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new private feed URL; the previous one stops working immediately."""
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.update_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
    return feed


def calendar_feed_rotate(*, user: User) -> None:
    """Replace the feed's address, if the person has one, when their password changes
    (``people.services.register_credential_rotator``): whoever had the old password could
    have copied it from the calendar page, and it works without logging in."""
    if CalendarFeed.objects.filter(user=user).exists():
        calendar_feed_regenerate(user=user)


def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    return feed or calendar_feed_regenerate(user=user)
