"""One of the pair declares a pause ("we are pausing until <date>") or ends it early.

A pause is planned, not written after the fact: it starts today or later, so it can never
erase meetings already missed. Its days count neither as missed meetings nor as silence in the
relationship's health (``tandem.feedback`` reads them). The other person is told.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import MentorshipPause, MentorshipState
from tandem.mentorships.selectors.access import access_mentorship
from tandem.mentorships.selectors.pauses import access_pause
from tandem.mentorships.services.common import MENTORSHIP_CLOSED, event_add_and_notify_other
from tandem.notify.kinds import Kind
from tandem.people.models import User

MAX_PAUSE_DAYS = 92  # about a quarter; longer than that is an ending, not a break
MAX_AHEAD_DAYS = 183
PAUSE_IN_THE_PAST = "A pause starts today or later; it cannot cover days already gone."
PAUSE_TOO_FAR = f"A pause can be declared at most {MAX_AHEAD_DAYS} days ahead."
PAUSE_ENDS_FIRST = "The pause must end after it starts."
PAUSE_TOO_LONG = (
    f"A pause lasts at most {MAX_PAUSE_DAYS} days; for a longer break, talk about ending."
)
PAUSE_OVERLAPS = "You already declared a pause over some of those days."
PAUSE_NOT_ACTIVE = "Only an active mentorship can pause."


def _check_dates(*, starts_on: date, ends_on: date, today: date) -> None:
    if starts_on < today:
        raise ApplicationError(PAUSE_IN_THE_PAST, fields={"starts_on": PAUSE_IN_THE_PAST})
    if starts_on > today + timedelta(days=MAX_AHEAD_DAYS):
        raise ApplicationError(PAUSE_TOO_FAR, fields={"starts_on": PAUSE_TOO_FAR})
    if ends_on <= starts_on:
        raise ApplicationError(PAUSE_ENDS_FIRST, fields={"ends_on": PAUSE_ENDS_FIRST})
    if (ends_on - starts_on).days > MAX_PAUSE_DAYS:
        raise ApplicationError(PAUSE_TOO_LONG, fields={"ends_on": PAUSE_TOO_LONG})


def mentorship_pause_declare(
    *, user: User, mentorship_id: int, ends_on: date, starts_on: date | None = None
) -> MentorshipPause:
    """One of the pair of an active mentorship declares a break from ``starts_on`` (today by
    default, UTC) until ``ends_on`` (the first day back)."""
    today = timezone.now().date()
    starts_on = starts_on or today
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        if mentorship.state != MentorshipState.ACTIVE:
            message = PAUSE_NOT_ACTIVE if mentorship.is_open else MENTORSHIP_CLOSED
            raise ApplicationError(message, status=409)
        _check_dates(starts_on=starts_on, ends_on=ends_on, today=today)
        overlapping = MentorshipPause.objects.filter(
            mentorship=mentorship, starts_on__lt=ends_on, ends_on__gt=starts_on
        )
        if overlapping.exists():
            raise ApplicationError(PAUSE_OVERLAPS, status=409)
        pause = MentorshipPause(
            mentorship=mentorship, declared_by=user, starts_on=starts_on, ends_on=ends_on
        )
        pause.full_clean()
        pause.save()
        event_add_and_notify_other(
            mentorship=mentorship,
            actor=user,
            event="pause_declared",
            summary=f"{user.display_name} declared a pause from {starts_on} until {ends_on}.",
            kind=Kind.MENTORSHIP,
            title=f"{user.display_name} paused your mentorship until {ends_on:%d %B}",
            body="Meetings you miss until then do not count against your mentorship's health.",
        )
    return pause


def mentorship_pause_end(*, user: User, pause_id: int) -> MentorshipPause | None:
    """One of the pair ends a pause today; one that has not begun is withdrawn (None comes
    back). A pause already over is left as it was."""
    today = timezone.now().date()
    with transaction.atomic():
        pause = access_pause(user=user, pause_id=pause_id, for_update=True)
        if pause.ends_on <= today:
            return pause
        if pause.starts_on >= today:
            summary = f"{user.display_name} withdrew the pause planned from {pause.starts_on}."
            pause.delete()
            result = None
        else:
            pause.ends_on = today
            pause.save(update_fields=["ends_on"])
            summary = f"{user.display_name} ended the pause; you are back from {today}."
            result = pause
        event_add_and_notify_other(
            mentorship=pause.mentorship,
            actor=user,
            event="pause_ended",
            summary=summary,
            kind=Kind.MENTORSHIP,
            title=summary,
        )
    return result
