"""Each pair against its own start: how it replied, cancelled and rated its first weeks, and
the rule that flags a sustained change from that.

Fixed thresholds cannot tell a monthly pair on holiday from a fading one; a pair's own first
weeks can. :func:`baseline_of` reads the events of the first :data:`BASELINE_DAYS` active days
(the caller passes them once that window is over, see ``HealthSignals.baseline``);
:func:`baseline_rule` compares the recent events with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median

from tandem.feedback.health.assessment import Contribution, Facts, HealthReason, duration, within
from tandem.feedback.health.signals import (
    BASELINE_DAYS,
    SIDES,
    Baseline,
    Cancellation,
    Pulse,
    Reply,
    Side,
    to_utc,
)

SIDE_NAMES = {"mentor": "the mentor", "mentee": "the mentee"}


def baseline_of(
    *,
    active_since: datetime,
    meetings_held: Sequence[datetime],
    cancellations: Sequence[Cancellation],
    replies: Sequence[Reply],
    pulses: Sequence[Pulse],
    days: int = BASELINE_DAYS,
) -> Baseline:
    """The :class:`Baseline` of the events in the first ``days`` days from ``active_since``
    (later events are ignored; a side with fewer than two replies or no pulse has none)."""
    end = to_utc(active_since) + timedelta(days=days)
    early_replies = [r for r in replies if to_utc(r.at) <= end]
    early_pulses = [p for p in pulses if to_utc(p.at) <= end]
    reply_hours: dict[Side, float] = {}
    pulse: dict[Side, float] = {}
    for side in SIDES:
        hours = [r.hours for r in early_replies if r.side == side]
        if len(hours) >= 2:
            reply_hours[side] = median(hours)
        scores = [p.score for p in early_pulses if p.side == side]
        if scores:
            pulse[side] = sum(scores) / len(scores)
    held = sum(1 for m in meetings_held if to_utc(m) <= end)
    called_off = sum(1 for c in cancellations if to_utc(c.at) <= end)
    return Baseline(reply_hours, pulse, called_off / max(held, 1), days)


# Tuned on the development set of bench/health_sim.py only.
SLOWER_REPLIES = 3.0  # the recent median at least this many times the first weeks' ...
SLOWER_REPLIES_MIN_HOURS = 48.0  # ... and at least this long
RECENT_REPLY_COUNT = 3
SLOWER_REPLY_POINTS = -6
MORE_CANCELLATIONS = 2.0  # per meeting, this many times the first weeks' rate ...
MORE_CANCELLATIONS_MIN = 2  # ... and at least this many in the window
MORE_CANCELLATION_POINTS = -5
PULSE_BELOW_OWN = 1.0  # a side's last two answers this far below its first weeks' mean
PULSE_BELOW_OWN_POINTS = -6


def _reply_change(facts: Facts, baseline: Baseline) -> list[HealthReason]:
    reasons: list[HealthReason] = []
    for side in SIDES:
        before = baseline.reply_hours.get(side)
        if before is None:
            continue
        recent = sorted(
            (r for r in facts.signals.replies if r.side == side and to_utc(r.at) <= facts.now),
            key=lambda r: to_utc(r.at),
        )[-RECENT_REPLY_COUNT:]
        if len(recent) < RECENT_REPLY_COUNT:
            continue
        now = median(r.hours for r in recent)
        if now >= max(SLOWER_REPLIES * before, SLOWER_REPLIES_MIN_HOURS):
            text = (
                f"Replies from {SIDE_NAMES[side]} now take {_hours(now)}; they took "
                f"{_hours(before)} in your first {baseline.days // 7} weeks."
            )
            reasons.append(HealthReason("slower_replies", text, SLOWER_REPLY_POINTS, "replies"))
    return reasons


def _hours(hours: float) -> str:
    if hours < 24:
        return "under a day"
    return duration(hours / 24)


def _cancellation_change(facts: Facts, baseline: Baseline) -> list[HealthReason]:
    window = max(3 * facts.period, 28)
    moments = sorted(to_utc(c.at) for c in facts.signals.cancellations)
    moments = [m for m in moments if m <= facts.now]
    recent = within(facts, moments, window)
    held = within(facts, facts.meetings, window)
    rate = recent / max(held, 1)
    if recent < MORE_CANCELLATIONS_MIN or rate < MORE_CANCELLATIONS * max(
        baseline.cancellations_per_meeting, 0.1
    ):
        return []
    text = (
        f"{recent} meetings were called off or moved in the last {duration(window)}, with "
        f"{held} held; in your first {baseline.days // 7} weeks it was "
        f"{round(baseline.cancellations_per_meeting, 1):g} for each meeting held."
    )
    return [HealthReason("more_cancellations", text, MORE_CANCELLATION_POINTS, "cancellations")]


def _pulse_change(facts: Facts, baseline: Baseline) -> list[HealthReason]:
    reasons: list[HealthReason] = []
    for side in SIDES:
        before = baseline.pulse.get(side)
        scores = [
            p.score
            for p in sorted(facts.signals.pulses, key=lambda p: to_utc(p.at))
            if p.side == side and to_utc(p.at) <= facts.now
        ][-2:]
        if before is None or len(scores) < 2:
            continue
        now = sum(scores) / len(scores)
        if before - now >= PULSE_BELOW_OWN:
            text = (
                f"{SIDE_NAMES[side].capitalize()} now rates the mentorship {now:g} out of 5; "
                f"it was {before:.1f} in your first {baseline.days // 7} weeks."
            )
            reasons.append(
                HealthReason("below_own_pulse", text, PULSE_BELOW_OWN_POINTS, "pulses", side)
            )
    return reasons


def baseline_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    """Sustained change from the pair's own first weeks (nothing without a baseline)."""
    baseline = facts.signals.baseline
    if baseline is None:
        return Contribution("baseline", None, 0), []
    reasons = (
        _reply_change(facts, baseline)
        + _cancellation_change(facts, baseline)
        + _pulse_change(facts, baseline)
    )
    return Contribution("baseline", len(reasons), sum(r.weight for r in reasons)), reasons
