"""What every health rule shares: the states, the assessment and its parts, and the facts
computed once per assessment (the meetings held, the missed periods, the pauses), with the
small helpers that word durations and cadences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tandem.feedback.health.signals import HealthSignals, Side, Span, active_days, to_utc

THRIVING, ON_TRACK, AT_RISK, STALLED = "thriving", "on_track", "at_risk", "stalled"
STATES = (THRIVING, ON_TRACK, AT_RISK, STALLED)  # best first
FLAGGED = (AT_RISK, STALLED)
# A second missed period (and a second silent one) needs three weeks: a weekly pair back from
# an undeclared fortnight away is not yet at risk; it is still flagged by the end of the
# second missed week.
SECOND_PERIOD_MIN_DAYS = 21
# Two missed periods make a pair at risk by the end of the second one (three periods after the
# last meeting); before that, a long gap needs a second signal to agree.
HARD_GAP_PERIODS = 3
# A meeting booked within the next period was moved out of a missed period, not skipped, so
# that period does not count while the booking stands. A booking made more than four periods
# (and four weeks) ahead of its date is a standing series, not a plan for this gap.
BOOKED_LEAD_PERIODS, BOOKED_LEAD_MIN_DAYS = 4, 28


@dataclass(frozen=True)
class Thresholds:
    """Score bands of the states (a program may choose its own): ``thriving_from`` and up is
    thriving, ``on_track_from`` and up on track, ``at_risk_from`` and up at risk, below that
    stalled."""

    thriving_from: int = 90
    on_track_from: int = 45
    at_risk_from: int = 25


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class HealthReason:
    """One reason for the state: a stable ``code`` (see ``reasons.REASON_CODES``), ``text`` in
    plain words with the numbers, its ``weight`` (points added to the score; negative for a
    concern), the ``signal`` it was read from (a ``HealthSignals`` field name) and, for a
    side's own answers, the ``side``: two sides' independent answers are two pieces of
    evidence (``evidence.enough_evidence``)."""

    code: str
    text: str
    weight: int
    signal: str
    side: str | None = None


@dataclass(frozen=True)
class Contribution:
    """What one signal measured (``value``, in the unit the docs give) and the points it
    added; every signal appears, with 0 points when it did not matter."""

    signal: str
    value: float | None
    points: int


@dataclass(frozen=True)
class HealthAssessment:
    state: str
    score: int
    reasons: tuple[HealthReason, ...]  # concerns first (heaviest first), then strengths
    contributions: tuple[Contribution, ...]
    missed_periods: int
    last_contact_at: datetime | None

    @property
    def flagged(self) -> bool:
        return self.state in FLAGGED


@dataclass(frozen=True)
class Facts:
    """What several rules share, computed once per assessment (all UTC)."""

    signals: HealthSignals
    now: datetime
    meetings: tuple[datetime, ...]  # held by now, oldest first
    last_meeting: datetime | None
    missed: int
    grace_days: float
    paused: tuple[Span, ...]
    # Active days since the last meeting (or the start) that count as skipped: one period
    # less while the next meeting is booked (``booked``, see :func:`next_booking`).
    gap: float
    booked: datetime | None

    @property
    def period(self) -> int:
        return self.signals.cadence_days

    def days_since(self, moment: datetime) -> float:
        return active_days(to_utc(moment), self.now, self.paused)

    def side_scores(self, side: Side) -> list[int]:
        """``side``'s check-in scores given by now, oldest first."""
        pulses = [p for p in self.signals.pulses if p.side == side and to_utc(p.at) <= self.now]
        return [p.score for p in sorted(pulses, key=lambda p: to_utc(p.at))]


Rule = Callable[[Facts], tuple[Contribution, list[HealthReason]]]


def flagged_after_days(cadence_days: int) -> float:
    """Days without a meeting after which a pair is at risk whatever else is true: the end
    of its second missed period (three periods after the last meeting), and three weeks."""
    return max(HARD_GAP_PERIODS * cadence_days, SECOND_PERIOD_MIN_DAYS)


def grace_days(cadence_days: int) -> float:
    """How late a meeting may be before its period counts as missed: half a period, at least
    three days and at most a week (a moved meeting is not a missed one)."""
    return min(max(cadence_days / 2, 3.0), 7.0)


def missed_periods(signals: HealthSignals) -> int:
    """Whole cadence periods skipped since the last meeting (or since the start): not
    counting declared pauses, the grace of :func:`grace_days`, nor one period while the next
    meeting is booked within a period (:func:`next_booking`); a second period counts only
    once three weeks have gone by."""
    return facts_of(signals).missed


def next_booking(
    signals: HealthSignals, now: datetime, paused: tuple[Span, ...]
) -> datetime | None:
    """The earliest meeting booked by ``now`` to start within one period of active days
    after it, booked at most :data:`BOOKED_LEAD_PERIODS` periods (and
    :data:`BOOKED_LEAD_MIN_DAYS` days) ahead of its date; None when there is none."""
    period = signals.cadence_days
    longest_lead = max(BOOKED_LEAD_PERIODS * period, BOOKED_LEAD_MIN_DAYS)
    starts = [
        start
        for start, booked in (
            (to_utc(b.start), to_utc(b.booked_at)) for b in signals.meetings_booked
        )
        if booked <= now < start
        and active_days(now, start, paused) <= period
        and active_days(booked, start, paused) <= longest_lead
    ]
    return min(starts, default=None)


def facts_of(signals: HealthSignals) -> Facts:
    now = to_utc(signals.as_of)
    meetings = tuple(sorted(m for m in map(to_utc, signals.meetings_held) if m <= now))
    last = meetings[-1] if meetings else None
    anchor = last if last is not None else to_utc(signals.active_since)
    grace, period = grace_days(signals.cadence_days), signals.cadence_days
    paused = signals.paused_spans()
    booked = next_booking(signals, now, paused)
    gap = active_days(anchor, now, paused)
    if booked is not None:
        gap = max(gap - period, 0.0)
    missed = whole_periods(gap, grace, period)
    return Facts(signals, now, meetings, last, missed, grace, paused, gap, booked)


def within(facts: Facts, moments: Sequence[datetime], window: float) -> int:
    """How many of the sorted ``moments`` lie within ``window`` active days before now."""
    count = 0
    for moment in reversed(moments):
        if facts.days_since(moment) > window:
            break
        count += 1
    return count


def whole_periods(days: float, grace: float, period: int) -> int:
    """Whole periods in ``days`` after the grace; a second one only from three weeks on."""
    periods = max(0, math.floor((days - grace) / period))
    return periods if days >= SECOND_PERIOD_MIN_DAYS else min(periods, 1)


def duration(days: float) -> str:
    whole = math.floor(days)
    if whole < 14:
        return "1 day" if whole == 1 else f"{whole} days"
    if whole < 91:
        return f"{whole // 7} weeks"
    return f"{whole // 30} months"


def every(period: int) -> str:
    named = {7: "every week", 14: "every 2 weeks", 30: "every month", 91: "every 3 months"}
    return named.get(period, f"every {period} days")


def pick(points: Sequence[int], index: int) -> int:
    return points[min(index, len(points) - 1)]
