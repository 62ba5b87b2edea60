"""What the health signals read of a pair's history, shared by the recent signals and the
pair's own baseline: which side an author is, when the mentorship began, which timeline events
call a meeting off and how a meeting that did not take place counts, a pulse's score and the
delays of the answers in a conversation; and the two reads the rules need beyond the recent
weeks: the pauses the pair declared, and the pair's first :data:`BASELINE_DAYS` days (its own
yardstick, ``baseline_of``)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from tandem.feedback.health import (
    BASELINE_DAYS,
    Baseline,
    Cancellation,
    Pause,
    Pulse,
    Reply,
    Side,
    baseline_of,
)
from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import FIT_KEY, PROGRESS_KEY, USEFULNESS_KEY
from tandem.mentorships.models import (
    Meeting,
    MeetingStatus,
    Mentorship,
    MentorshipEvent,
    MentorshipPause,
)
from tandem.messaging.models import Message

# Timeline events that mean a meeting was called off or moved (mentorships' services).
CANCELLING_EVENTS = {
    "meeting_cancelled": False,
    "series_cancelled": False,
    "meeting_moved": True,
}


# What a past meeting is: held (the default) or, marked by one of the pair, not taken place.
HELD_OR_MISSED = (MeetingStatus.SCHEDULED, MeetingStatus.MISSED)


def no_show(starts_at: datetime) -> Cancellation:
    """A meeting one of the pair marked as not taken place: like a plain cancellation at the
    time it was due, blaming neither side (either may mark it)."""
    return Cancellation(at=starts_at, by=None, rescheduled=False)


def side_of(mentorship: Mentorship, person_id: int | None) -> Side | None:
    if person_id == mentorship.mentor_id:
        return "mentor"
    if person_id == mentorship.mentee_id:
        return "mentee"
    return None


def active_since(mentorship: Mentorship) -> datetime:
    return mentorship.activated_at or mentorship.created_at


def pulse_score(*answers: str | None) -> int | None:
    """One check-in's 1-5 score: the mean of its scored answers, rounded half up (one missing
    them all says nothing)."""
    scores = [int(value) for value in answers if value and str(value).isdigit()]
    scores = [score for score in scores if 1 <= score <= 5]
    if not scores:
        return None
    return math.floor(sum(scores) / len(scores) + 0.5)


# The check-ins whose scales the rules read as a side's pulse: a pulse's progress and how
# useful the last meeting was, and the first-meeting fit check's fit. A side that rates the fit
# poor after the first meeting is the earliest word of mismatched expectations (journeys review:
# a mentee's "poor fit" and lowest pulse beside the mentor's fives read "on track").
SCORED_KINDS = (CheckInKind.PULSE, CheckInKind.FIRST_MEETING)


def pulses_of(answered: QuerySet[CheckIn], by_id: dict[int, Mentorship]) -> dict[int, list[Pulse]]:
    """The pulses among ``answered`` check-ins of the mentorships of ``by_id``, by mentorship:
    only their scales are read, never the comments."""
    found: dict[int, list[Pulse]] = defaultdict(list)
    rows = (
        answered.filter(kind__in=SCORED_KINDS, answered_at__isnull=False)
        .annotate(
            progress=KT(f"answers__{PROGRESS_KEY}"),
            useful=KT(f"answers__{USEFULNESS_KEY}"),
            fit=KT(f"answers__{FIT_KEY}"),
        )
        .values_list("mentorship_id", "author_id", "answered_at", "progress", "useful", "fit")
    )
    for pk, author_id, at, *answers in rows:
        side, score = side_of(by_id[pk], author_id), pulse_score(*answers)
        if side is not None and score is not None and at is not None:
            found[pk].append(Pulse(at=at, side=side, score=score))
    return found


def replies_of(sides: list[tuple[Side, datetime]]) -> list[Reply]:
    """Each time one side answered the other: hours from the first message left unanswered to
    the answer (``sides`` in time order)."""
    replies: list[Reply] = []
    waiting: tuple[Side, datetime] | None = None
    for side, at in sides:
        if waiting is None:
            waiting = (side, at)
        elif waiting[0] != side:
            hours = (at - waiting[1]).total_seconds() / 3600
            replies.append(Reply(at=at, side=side, hours=hours))
            waiting = (side, at)
    return replies


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def pauses_for(ids: list[int], *, now: datetime) -> dict[int, list[Pause]]:
    """Every pause each mentorship declared that began by ``now`` (a pair has few: at most
    92 paused days a year), however long ago it ended, so the days since a meeting months
    back still leave its pauses out. A pause runs from the start of its first day to the start
    of its first day back, both in the declarer's time zone; one declared for today starts when
    it was declared: hours already gone stay counted."""
    found: dict[int, list[Pause]] = defaultdict(list)
    rows = MentorshipPause.objects.filter(
        mentorship_id__in=ids, starts_on__lte=(now + timedelta(days=1)).date()
    ).values_list(
        "mentorship_id", "starts_on", "ends_on", "created_at", "declared_by__profile__timezone"
    )
    for mentorship_id, starts_on, ends_on, created_at, zone_name in rows:
        zone = _zone(zone_name)
        start = _midnight(starts_on, zone)
        if start < created_at < _midnight(starts_on + timedelta(days=1), zone):
            start = created_at  # declared on its first day: from the moment of declaring
        end = _midnight(ends_on, zone)
        if start <= now and end > start:
            # The end in the declarer's zone, so the rules can name the day back as the pages
            # do; they read every span in UTC (``HealthSignals.paused_spans``).
            found[mentorship_id].append(Pause(start=start, end=end.astimezone(zone)))
    return found


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _first_weeks_end(path: str) -> ExpressionWrapper:
    """The end of the first weeks of the mentorship at ``path`` (its start as
    :func:`active_since` reads it, plus :data:`BASELINE_DAYS`), in SQL."""
    start = Coalesce(F(f"{path}activated_at"), F(f"{path}created_at"))
    return ExpressionWrapper(start + timedelta(days=BASELINE_DAYS), output_field=DateTimeField())


def _early_events(
    ready: dict[int, Mentorship],
) -> tuple[dict[int, list[datetime]], dict[int, list[Cancellation]]]:
    ids = list(ready)
    meetings: dict[int, list[datetime]] = defaultdict(list)
    cancellations: dict[int, list[Cancellation]] = defaultdict(list)
    for pk, at, status in Meeting.objects.filter(
        mentorship_id__in=ids,
        status__in=HELD_OR_MISSED,
        starts_at__lte=_first_weeks_end("mentorship__"),
    ).values_list("mentorship_id", "starts_at", "status"):
        if status == MeetingStatus.MISSED:
            cancellations[pk].append(no_show(at))
        else:
            meetings[pk].append(at)
    for pk, actor_id, kind, at in MentorshipEvent.objects.filter(
        mentorship_id__in=ids,
        kind__in=list(CANCELLING_EVENTS),
        created_at__lte=_first_weeks_end("mentorship__"),
    ).values_list("mentorship_id", "actor_id", "kind", "created_at"):
        side = side_of(ready[pk], actor_id)
        if side is not None:
            cancellations[pk].append(Cancellation(at, side, CANCELLING_EVENTS[kind]))
    return meetings, cancellations


def _early_talk(
    ready: dict[int, Mentorship],
) -> tuple[dict[int, list[Reply]], dict[int, list[Pulse]]]:
    ids = list(ready)
    sequence: dict[int, list[tuple[Side, datetime]]] = defaultdict(list)
    for pk, sender_id, at in (
        Message.objects.filter(
            conversation__mentorship_id__in=ids,
            created_at__lte=_first_weeks_end("conversation__mentorship__"),
        )
        .order_by("conversation_id", "pk")
        .values_list("conversation__mentorship_id", "sender_id", "created_at")
    ):
        side = side_of(ready[pk], sender_id)
        if side is not None:
            sequence[pk].append((side, at))
    pulses = pulses_of(
        CheckIn.objects.filter(
            mentorship_id__in=ids, answered_at__lte=_first_weeks_end("mentorship__")
        ),
        ready,
    )
    return {pk: replies_of(sides) for pk, sides in sequence.items()}, pulses


def baselines_for(by_id: dict[int, Mentorship], *, now: datetime) -> dict[int, Baseline]:
    """Each mentorship's own first :data:`BASELINE_DAYS` days (``baseline_of``), for those
    whose first weeks are over by ``now`` (four queries when any is; none otherwise). What
    they read is the same for the rest of the mentorship: only those weeks, never later."""
    ready = {
        pk: m for pk, m in by_id.items() if active_since(m) + timedelta(days=BASELINE_DAYS) <= now
    }
    if not ready:
        return {}
    meetings, cancellations = _early_events(ready)
    replies, pulses = _early_talk(ready)
    return {
        pk: baseline_of(
            active_since=active_since(m),
            meetings_held=meetings.get(pk, []),
            cancellations=cancellations.get(pk, []),
            replies=replies.get(pk, []),
            pulses=pulses.get(pk, []),
        )
        for pk, m in ready.items()
    }
