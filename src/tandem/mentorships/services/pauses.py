"""One of the pair declares a pause ("we are pausing until <date>") or ends it early.

A pause is planned, not written after the fact: it starts today or later, so it can never
erase meetings already missed. Its days count neither as missed meetings nor as silence in the
relationship's health (``tandem.feedback`` reads them). The other person is told.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import Mentorship, MentorshipPause, MentorshipState
from tandem.mentorships.scheduling import zone_of
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
# Chained pauses must not hide a silent pair: whoever declares them, at most a quarter of any
# year is paused (the pauses already declared, past and planned, count).
MAX_PAUSED_PER_YEAR, YEAR_DAYS = 92, 365
PAUSE_TOO_MANY = (
    f"At most {MAX_PAUSED_PER_YEAR} days of a mentorship can be paused in any "
    f"{YEAR_DAYS} days, counting the pauses already declared; for a longer break, talk "
    "about ending."
)
PAUSE_AFTER_END = "A pause must end by the mentorship's agreed end date ({ends_on})."
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


def paused_days_in_busiest_year(spans: list[tuple[date, date]]) -> int:
    """The most paused days (``starts_on`` to the first day back) any window of
    :data:`YEAR_DAYS` days holds; the busiest window starts at a pause's start or ends at a
    pause's end."""
    year = timedelta(days=YEAR_DAYS)
    windows = [start for start, _ in spans] + [end - year for _, end in spans]
    return max(
        (
            sum(max(0, (min(end, low + year) - max(start, low)).days) for start, end in spans)
            for low in windows
        ),
        default=0,
    )


def _check_allowance(*, mentorship: Mentorship, starts_on: date, ends_on: date) -> None:
    if mentorship.ends_on is not None and ends_on > mentorship.ends_on:
        message = PAUSE_AFTER_END.format(ends_on=day_in(mentorship.ends_on))
        raise ApplicationError(message, fields={"ends_on": message})
    pauses = MentorshipPause.objects.filter(mentorship=mentorship)
    overlapping = pauses.filter(starts_on__lt=ends_on, ends_on__gt=starts_on)
    if overlapping.exists():
        raise ApplicationError(PAUSE_OVERLAPS, status=409)
    year = timedelta(days=YEAR_DAYS)
    near = pauses.filter(starts_on__lt=ends_on + year, ends_on__gt=starts_on - year)
    spans = [*near.values_list("starts_on", "ends_on"), (starts_on, ends_on)]
    if paused_days_in_busiest_year(spans) > MAX_PAUSED_PER_YEAR:
        raise ApplicationError(PAUSE_TOO_MANY, status=409, fields={"ends_on": PAUSE_TOO_MANY})


def today_for(user: User) -> tuple[date, ZoneInfo]:
    """Today's date where ``user`` is (their profile's time zone), and that zone."""
    zone = zone_of(user)
    return timezone.now().astimezone(zone).date(), zone


def mentorship_pause_declare(
    *, user: User, mentorship_id: int, ends_on: date, starts_on: date | None = None
) -> MentorshipPause:
    """One of the pair of an active mentorship declares a break from ``starts_on`` (today by
    default, in the declarer's time zone) until ``ends_on`` (the first day back)."""
    today, _ = today_for(user)
    starts_on = starts_on or today
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        if mentorship.state != MentorshipState.ACTIVE:
            message = PAUSE_NOT_ACTIVE if mentorship.is_open else MENTORSHIP_CLOSED
            raise ApplicationError(message, status=409)
        _check_dates(starts_on=starts_on, ends_on=ends_on, today=today)
        _check_allowance(mentorship=mentorship, starts_on=starts_on, ends_on=ends_on)
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
            **_pause_notice(
                who=user.display_name, starts_on=starts_on, ends_on=ends_on, today=today
            ),
        )
    return pause


def _day(day: date) -> str:
    return day_in(day)


class _Notice(TypedDict):
    title: str
    body: str


def _pause_notice(*, who: str, starts_on: date, ends_on: date, today: date) -> _Notice:
    """The partner's notice: a pause planned for later says when it starts, so it does not
    read as if the pair stopped meeting today."""
    if starts_on > today:
        return {
            "title": f"{who} paused your mentorship from {_day(starts_on)} to {_day(ends_on)}",
            "body": f"Meetings you miss between {_day(starts_on)} and {_day(ends_on)} do not "
            "count against your mentorship's health.",
        }
    return {
        "title": f"{who} paused your mentorship until {_day(ends_on)}",
        "body": "Meetings you miss until then do not count against your mentorship's health.",
    }


def mentorship_pause_end(*, user: User, pause_id: int) -> MentorshipPause | None:
    """One of the pair ends a pause today; one that has not begun is withdrawn (None comes
    back). A pause already over is left as it was. The mentorship is locked before the pause
    is read again, so of two requests at once the second sees the first one's result (and
    tells the partner nothing)."""
    today, _ = today_for(user)
    with transaction.atomic():
        pause = access_pause(user=user, pause_id=pause_id, for_update=True)
        if pause.mentorship.state != MentorshipState.ACTIVE:
            message = PAUSE_NOT_ACTIVE if pause.mentorship.is_open else MENTORSHIP_CLOSED
            raise ApplicationError(message, status=409)
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
