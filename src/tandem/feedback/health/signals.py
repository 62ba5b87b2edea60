"""What the health rules read about one mentorship at one moment: plain, frozen data.

The caller (the health sweep, a test, ``bench/health_sim.py``) gathers these from wherever
they live and hands them to :func:`tandem.feedback.health.rules.assess`; nothing here touches
the database. Every datetime is timezone-aware; the rules compare instants in UTC, so the same
moments written in Europe/London or America/New_York give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from tandem.matching.records.cells import CADENCES

Side = Literal["mentor", "mentee"]
SIDES: tuple[Side, Side] = ("mentor", "mentee")

# The length of one agreed cadence period, in days (a month is 30, a quarter 91).
CADENCE_DAYS: Mapping[str, int] = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "quarterly": 91,
}
if set(CADENCE_DAYS) != set(CADENCES):  # a cadence added to the record needs a length here
    raise ImportError(f"CADENCE_DAYS must cover exactly {CADENCES}")

NAIVE_DATETIME = "Health signals need timezone-aware datetimes (got {value!r} in {field})."
BAD_CADENCE = "The cadence period must be at least one day (got {value!r})."
BAD_PROGRESS = "Goal progress is a share from 0 to 1 (got {value!r})."
BAD_PULSE = "A pulse score is from 1 to 5 (got {value!r})."
BAD_PAUSE = "A paused range must end after it starts ({start} to {end})."


def _check_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(NAIVE_DATETIME.format(value=value, field=name))


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC: aware datetimes sharing one ``ZoneInfo`` subtract by wall
    clock (an hour off across a DST change), so the rules only ever subtract UTC ones."""
    return value if value.tzinfo is UTC else value.astimezone(UTC)


Span = tuple[datetime, datetime]
DAY = timedelta(days=1)


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """UTC spans sorted, with overlapping ones merged (a paused instant counts once)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def active_days(start: datetime, end: datetime, paused: tuple[Span, ...]) -> float:
    """Days from ``start`` to ``end`` (UTC; 0 if ``end`` is earlier) outside the merged
    ``paused`` spans."""
    if end <= start:
        return 0.0
    total = end - start
    for low, high in paused:
        overlap = min(end, high) - max(start, low)
        if overlap > timedelta(0):
            total -= overlap
    return total / DAY


@dataclass(frozen=True)
class Cancellation:
    """A meeting called off or moved, or one that did not take place (a no-show).

    ``at``: when it was cancelled (not when the meeting was due); for a no-show, when the
    meeting was due (the moment it did not happen). ``by``: the side that called it off; None
    for a no-show, which blames neither side (either may say it did not happen, and saying
    so is no proof of who stayed away). ``rescheduled``: True when a new time was agreed in the
    same step (a move), False for a plain cancellation or a no-show. ``due``: when the meeting
    was due (its start before the change; for a move, the earlier of its two starts); None
    when not known, read as ``at``. Cancellations in a row are meetings that came due in a
    row: moving far-ahead meetings is none yet, nor is a meeting moved earlier and held.
    """

    at: datetime
    by: Side | None
    rescheduled: bool = False
    due: datetime | None = None

    def __post_init__(self) -> None:
        _check_aware(self.at, "Cancellation.at")
        if self.due is not None:
            _check_aware(self.due, "Cancellation.due")

    @property
    def due_at(self) -> datetime:
        """When the meeting was due, as far as known."""
        return self.due if self.due is not None else self.at


@dataclass(frozen=True)
class Pulse:
    """One side's answer to a pulse check-in: ``score`` from 1 (poor) to 5 (great), given
    ``at``. A check-in left unanswered is simply absent."""

    at: datetime
    side: Side
    score: int

    def __post_init__(self) -> None:
        _check_aware(self.at, "Pulse.at")
        if not 1 <= self.score <= 5:
            raise ValueError(BAD_PULSE.format(value=self.score))


@dataclass(frozen=True)
class Reply:
    """One side answering the other's message: ``hours`` from the other side's first
    unanswered message to this side's answer, sent ``at``."""

    at: datetime
    side: Side
    hours: float

    def __post_init__(self) -> None:
        _check_aware(self.at, "Reply.at")


@dataclass(frozen=True)
class Pause:
    """A period the pair declared as a break (holiday, leave): ``start`` to ``end``. Days
    inside it count neither as missed meetings nor as silence."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _check_aware(self.start, "Pause.start")
        _check_aware(self.end, "Pause.end")
        if self.end <= self.start:
            raise ValueError(BAD_PAUSE.format(start=self.start, end=self.end))


@dataclass(frozen=True)
class Booking:
    """A meeting booked for later and not called off: it starts at ``start`` and was booked
    (made, or moved to this time) at ``booked_at``."""

    start: datetime
    booked_at: datetime

    def __post_init__(self) -> None:
        _check_aware(self.start, "Booking.start")
        _check_aware(self.booked_at, "Booking.booked_at")


BASELINE_DAYS = 56  # a pair's first eight weeks are its own yardstick


@dataclass(frozen=True)
class Baseline:
    """What a pair's first weeks looked like: each side's median reply time (hours) and mean
    pulse score (1-5), and the cancellations (moves included) per meeting held."""

    reply_hours: Mapping[Side, float] = field(default_factory=dict)
    pulse: Mapping[Side, float] = field(default_factory=dict)
    cancellations_per_meeting: float = 0.0
    days: int = BASELINE_DAYS


@dataclass(frozen=True)
class HealthSignals:
    """Everything the health rules need about one active mentorship at ``as_of``.

    Only events at or before ``as_of`` are meant to be included; later ones are ignored.

    Attributes
    ----------
    as_of : datetime
        The moment assessed (aware; "now" for the daily sweep).
    active_since : datetime
        When the mentorship became active (the agreement was signed by both).
    cadence_days : int
        The agreed cadence as a period in days: :data:`CADENCE_DAYS` maps the cadence names
        (weekly 7, biweekly 14, monthly 30, quarterly 91).
    meetings_held : tuple of datetime
        Start times of meetings that took place (past, not cancelled, not marked as not taken
        place), any order.
    cancellations : tuple of Cancellation
        Meetings cancelled or moved, with who did it, and meetings that did not take place
        (``by`` None), any order.
    last_message_at : mapping of side to datetime
        Each side's latest message in the pair's conversation; a side that never wrote is
        absent.
    replies : tuple of Reply
        Each time one side answered the other's message, with how long it took (hours).
    overdue_action_items : tuple of datetime
        When each action item past its due date and not done at ``as_of`` fell due (the
        end of its due day), any order.
    goal_progress : float or None
        Average progress of the pair's goals, 0 to 1; None when they set no goals.
    pulses : tuple of Pulse
        Pulse check-in scores of both sides (1-5) with their times, any order.
    divergence_topics : tuple of str
        Topics of an open divergence (the sides answered a check-in differently); empty when
        none is open. Plain labels such as "expectations" or "progress".
    amendment_waiting_days : float or None
        Days an agreement amendment has waited for the second signature; None when none waits.
    paused : tuple of Pause
        Breaks the pair declared; their days are left out of every "days since" count.
    meetings_booked : tuple of Booking
        Meetings booked to start after ``as_of`` and not called off by then, with when each
        was booked (or moved to its time); those booked after ``as_of`` are ignored.
    baseline : Baseline or None
        The pair's own first weeks (``health.baseline.baseline_of`` of the events of the
        first :data:`BASELINE_DAYS` days), once those weeks are over; None before, or when
        the caller does not gather it (the rules then judge on fixed thresholds only).
    """

    as_of: datetime
    active_since: datetime
    cadence_days: int
    meetings_held: tuple[datetime, ...] = ()
    cancellations: tuple[Cancellation, ...] = ()
    last_message_at: Mapping[Side, datetime] = field(default_factory=dict)
    replies: tuple[Reply, ...] = ()
    overdue_action_items: tuple[datetime, ...] = ()
    goal_progress: float | None = None
    pulses: tuple[Pulse, ...] = ()
    divergence_topics: tuple[str, ...] = ()
    amendment_waiting_days: float | None = None
    paused: tuple[Pause, ...] = ()
    meetings_booked: tuple[Booking, ...] = ()
    baseline: Baseline | None = None

    def __post_init__(self) -> None:
        _check_aware(self.as_of, "as_of")
        _check_aware(self.active_since, "active_since")
        for moment in self.meetings_held:
            _check_aware(moment, "meetings_held")
        for moment in self.overdue_action_items:
            _check_aware(moment, "overdue_action_items")
        for side, moment in self.last_message_at.items():
            _check_aware(moment, f"last_message_at[{side}]")
        if self.cadence_days < 1:
            raise ValueError(BAD_CADENCE.format(value=self.cadence_days))
        if self.goal_progress is not None and not 0 <= self.goal_progress <= 1:
            raise ValueError(BAD_PROGRESS.format(value=self.goal_progress))

    def paused_spans(self) -> tuple[Span, ...]:
        """The declared pauses in UTC, sorted and merged."""
        return merge_spans([(to_utc(p.start), to_utc(p.end)) for p in self.paused])

    def active_days_between(self, start: datetime, end: datetime) -> float:
        """Days from ``start`` to ``end`` (0 if ``end`` is earlier), minus declared pauses."""
        return active_days(to_utc(start), to_utc(end), self.paused_spans())
