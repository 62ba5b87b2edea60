"""The health rules: a mentorship's signals become a state, a 0-100 score and plain reasons.

A transparent weighted score: every signal adds points (negative for a concern, positive for a
strength) to :data:`BASE_SCORE`; the score's band gives the state, and three hard rules cap it
(two missed cadence periods without a meeting make a pair at least at risk by the end of the
second, three periods and at least three weeks after the last meeting; four missed periods
make it stalled; a period whose meeting is booked within the next one is postponed, not
missed, see ``assessment.next_booking``; a side's last two check-in answers at the bottom of
the scale make it at least at risk, ``evidence.FLOOR_PULSE``). Each signal, its points and the
reasoning behind them are listed in ``docs/health.md``; the weights were tuned on the
development timelines of ``bench/health_sim.py`` only. :mod:`tandem.feedback.health.baseline`
adds the signals that compare a pair with its own first weeks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from statistics import median

from tandem.feedback.health.assessment import (
    DEFAULT_THRESHOLDS,
    Contribution,
    Facts,
    HealthAssessment,
    HealthReason,
    Rule,
    Thresholds,
    duration,
    every,
    facts_of,
    pick,
    whole_periods,
    within,
)
from tandem.feedback.health.baseline import baseline_rule
from tandem.feedback.health.conversation import waiting_message
from tandem.feedback.health.evidence import decide_state
from tandem.feedback.health.pauses import pause_rule
from tandem.feedback.health.signals import (
    DAY,
    SIDES,
    HealthSignals,
    Side,
    to_utc,
)

BASE_SCORE = 80
MISSED_POINTS = (0, -9, -22, -34, -45)  # by missed periods; the last repeats
ON_CADENCE_POINTS = 10
SILENT_AFTER_PERIODS = 2  # whole periods without a meeting or a message
SILENCE_POINTS = (-18, -36)  # no contact for two periods, for three or more
CANCELLED_IN_A_ROW_POINTS = (0, 0, -5, -10, -15)
CANCELLING_SIDE_POINTS = -5
OVERDUE_ITEM_POINTS, OVERDUE_ITEMS_CAP = -6, -18
OVERDUE_PERIODS, OVERDUE_MIN_DAYS = 3, 28  # "lately": three periods, at least four weeks
OVERDUE_FROM = 2  # open items that fell due lately: one late item is ordinary
STUCK_GOALS_POINTS, GOAL_PROGRESS_POINTS = -8, 5
LOW_PULSE = ((2.0, -20), (2.5, -15), (3.0, -6))  # (mean of the last two at most, points)
FALLING_PULSE = ((2.5, -22), (1.5, -15))  # (fall of at least, points)
PULSE_GAP_POINTS = -5
HIGH_PULSE_POINTS = 5
DIVERGENCE_POINTS = -5
UNSIGNED_POINTS = (-5, -10)  # waiting two weeks, a month
SLOW_REPLY_POINTS = (-4, -8)  # median over three days, over a week
QUICK_REPLY_POINTS = 5
ONE_SIDED_POINTS = (-4, -8)  # no answer for a week (or half a period), for two

RECENT_REPLIES = 5  # per side: a caller may pass only these
RECENT_PULSES = 2  # a side's mood is the mean of its last two answers ...
EARLIER_PULSES = 3  # ... compared with the mean of the three before for a trend
PULSES_READ = RECENT_PULSES + EARLIER_PULSES  # per side: a caller may pass only these
QUICK_REPLY_HOURS, SLOW_REPLY_HOURS, VERY_SLOW_REPLY_HOURS = 24.0, 72.0, 168.0
SIDE_NAMES = {"mentor": "the mentor", "mentee": "the mentee"}


def _meetings_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    signals, missed = facts.signals, facts.missed
    if missed:
        points = pick(MISSED_POINTS, missed)
        if facts.last_meeting is None:
            since = facts.days_since(signals.active_since)
            text = f"You have not met since the mentorship started {duration(since)} ago"
        else:
            text = f"You have not met for {duration(facts.days_since(facts.last_meeting))}"
        text += f"; you agreed to meet {every(facts.period)}."
        if facts.booked is not None:
            ahead = (facts.booked - facts.now) / DAY
            when = "within a day" if ahead < 1 else f"in {duration(ahead)}"
            text += f" Your next meeting is booked {when}."
        reason = HealthReason("missed_periods", text, points, "meetings_held")
        return Contribution("meetings_held", missed, points), [reason]
    # A strength once there has been time for at least two meetings, all of them held.
    window = 3 * facts.period + facts.grace_days
    expected = min(3, math.floor(facts.days_since(signals.active_since) / facts.period))
    recent = within(facts, facts.meetings, window)
    if expected >= 2 and recent >= expected:
        text = f"You met {recent} times in the last {duration(window)}, as agreed."
        reason = HealthReason("meets_on_cadence", text, ON_CADENCE_POINTS, "meetings_held")
        return Contribution("meetings_held", 0, ON_CADENCE_POINTS), [reason]
    return Contribution("meetings_held", 0, 0), []


def _last_contact(facts: Facts) -> datetime | None:
    moments = [to_utc(m) for m in facts.signals.last_message_at.values()]
    moments = [m for m in moments if m <= facts.now]
    if facts.last_meeting is not None:
        moments.append(facts.last_meeting)
    return max(moments, default=None)


def _contact_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    last = _last_contact(facts)
    since = facts.days_since(last if last is not None else facts.signals.active_since)
    periods = whole_periods(since, facts.grace_days, facts.period)
    if periods < SILENT_AFTER_PERIODS:
        return Contribution("last_message_at", since, 0), []
    points = pick(SILENCE_POINTS, periods - SILENT_AFTER_PERIODS)
    text = f"Neither of you has met or written for {duration(since)}."
    return Contribution("last_message_at", since, points), [
        HealthReason("no_contact", text, points, "last_message_at")
    ]


def _cancellations_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    cancellations = sorted(
        (c for c in facts.signals.cancellations if to_utc(c.at) <= facts.now),
        key=lambda c: to_utc(c.at),
    )
    # In a row: the meetings that came due since the last one held were called off, whenever
    # the change was made (moving far-ahead meetings at once is no streak yet).
    since_meeting = [
        c
        for c in cancellations
        if to_utc(c.due_at) <= facts.now
        and (facts.last_meeting is None or to_utc(c.due_at) > facts.last_meeting)
    ]
    reasons: list[HealthReason] = []
    in_a_row = len(since_meeting)
    points = pick(CANCELLED_IN_A_ROW_POINTS, in_a_row)
    if points:
        what = (
            "cancelled, moved or did not take place"
            if any(c.by is None for c in since_meeting)
            else "cancelled or moved"
        )
        text = f"The last {in_a_row} meetings were {what}, with none held since."
        reasons.append(HealthReason("cancellations", text, points, "cancellations"))
    window = max(4 * facts.period, 28)
    recent = cancellations[
        len(cancellations) - within(facts, [c.at for c in cancellations], window) :
    ]
    held = within(facts, facts.meetings, window)
    for side in SIDES:
        by_side = sum(1 for c in recent if c.by == side)
        if by_side >= 2 and 2 * by_side >= by_side + held:
            text = (
                f"{SIDE_NAMES[side].capitalize()} called off {by_side} meetings in the last "
                f"{duration(window)}; {held} took place."
            )
            reasons.append(
                HealthReason("cancelling_side", text, CANCELLING_SIDE_POINTS, "cancellations")
            )
            points += CANCELLING_SIDE_POINTS
            break
    return Contribution("cancellations", in_a_row, points), reasons


def _overdue_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    """Recent neglect, not old news: the open items that fell due in the last
    :data:`OVERDUE_PERIODS` periods, a concern from :data:`OVERDUE_FROM` of them on (one late
    item is ordinary; one forgotten for months says nothing about the pair today)."""
    window = max(OVERDUE_PERIODS * facts.period, OVERDUE_MIN_DAYS)
    due = sorted(m for m in map(to_utc, facts.signals.overdue_action_items) if m <= facts.now)
    count = within(facts, due, window)
    if count < OVERDUE_FROM:
        return Contribution("overdue_action_items", count, 0), []
    points = max(OVERDUE_ITEM_POINTS * count, OVERDUE_ITEMS_CAP)
    text = f"{count} action items fell due in the last {duration(window)} and are not done."
    return Contribution("overdue_action_items", count, points), [
        HealthReason("overdue_items", text, points, "overdue_action_items")
    ]


def _goals_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    progress = facts.signals.goal_progress
    if progress is None:
        return Contribution("goal_progress", None, 0), []
    percent = round(progress * 100)
    if progress >= 0.5:
        text = f"Your goals are {percent} % done."
        reason = HealthReason("goal_progress", text, GOAL_PROGRESS_POINTS, "goal_progress")
        return Contribution("goal_progress", progress, GOAL_PROGRESS_POINTS), [reason]
    active = facts.days_since(facts.signals.active_since)
    if progress < 0.1 and active >= max(4 * facts.period, 60):
        text = f"Your goals are {percent} % done after {duration(active)}."
        reason = HealthReason("stuck_goals", text, STUCK_GOALS_POINTS, "goal_progress")
        return Contribution("goal_progress", progress, STUCK_GOALS_POINTS), [reason]
    return Contribution("goal_progress", progress, 0), []


def _mean(scores: Sequence[int]) -> float:
    return sum(scores) / len(scores)


def _pulse_reasons(side: Side, scores: list[int]) -> list[HealthReason]:
    reasons: list[HealthReason] = []
    who = SIDE_NAMES[side].capitalize()
    recent, earlier = scores[-RECENT_PULSES:], scores[-PULSES_READ:-RECENT_PULSES]
    now = _mean(recent)
    low = next((points for limit, points in LOW_PULSE if now <= limit), 0)
    if low and (now < 3 or len(recent) == RECENT_PULSES):
        latest = " and ".join(map(str, recent))
        text = f"{who} rated the latest check-ins {latest} out of 5."
        if len(recent) == 1:
            text = f"{who} rated the latest check-in {latest} out of 5."
        reasons.append(HealthReason("low_pulse", text, low, "pulses", side))
    if earlier:
        before = _mean(earlier)
        fall = next((points for limit, points in FALLING_PULSE if before - now >= limit), 0)
        if fall:
            text = f"{who}'s check-in scores fell from {before:.1f} to {now:.1f} out of 5."
            reasons.append(HealthReason("falling_pulse", text, fall, "pulses", side))
    return reasons


def _pulse_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    mood: dict[Side, float] = {}
    reasons: list[HealthReason] = []
    for side in SIDES:
        scores = facts.side_scores(side)
        if scores:
            mood[side] = _mean(scores[-RECENT_PULSES:])
            reasons += _pulse_reasons(side, scores)
    if len(mood) == 2 and abs(mood["mentor"] - mood["mentee"]) >= 2:
        text = (
            f"You rate the mentorship differently: the mentor {mood['mentor']:g}, "
            f"the mentee {mood['mentee']:g} out of 5."
        )
        reasons.append(HealthReason("pulse_gap", text, PULSE_GAP_POINTS, "pulses"))
    if not reasons and len(mood) == 2 and min(mood.values()) >= 4:
        text = f"You both rate the mentorship well ({min(mood.values()):g} or more of 5)."
        reasons.append(HealthReason("high_pulse", text, HIGH_PULSE_POINTS, "pulses"))
    value = min(mood.values()) if mood else None
    return Contribution("pulses", value, sum(r.weight for r in reasons)), reasons


def _divergence_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    topics = facts.signals.divergence_topics
    if not topics:
        return Contribution("divergence_topics", 0, 0), []
    text = (
        f"You answered the latest check-in differently about {', '.join(topics)}; "
        "talk about what each of you expects."
    )
    return Contribution("divergence_topics", len(topics), DIVERGENCE_POINTS), [
        HealthReason("divergence", text, DIVERGENCE_POINTS, "divergence_topics")
    ]


def _amendment_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    days = facts.signals.amendment_waiting_days
    if days is None or days < 14:
        return Contribution("amendment_waiting_days", days, 0), []
    points = UNSIGNED_POINTS[1 if days >= 30 else 0]
    text = f"An amendment to your agreement has waited {duration(days)} for a signature."
    return Contribution("amendment_waiting_days", days, points), [
        HealthReason("unsigned_amendment", text, points, "amendment_waiting_days")
    ]


def _reply_medians(facts: Facts) -> dict[Side, float]:
    medians: dict[Side, float] = {}
    for side in SIDES:
        replies = sorted(
            (r for r in facts.signals.replies if r.side == side and to_utc(r.at) <= facts.now),
            key=lambda r: to_utc(r.at),
        )[-RECENT_REPLIES:]
        if len(replies) >= 2:
            medians[side] = median(r.hours for r in replies)
    return medians


def _replies_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    medians = _reply_medians(facts)
    reasons: list[HealthReason] = []
    for side, hours in medians.items():
        if hours > SLOW_REPLY_HOURS:
            points = SLOW_REPLY_POINTS[1 if hours > VERY_SLOW_REPLY_HOURS else 0]
            text = f"{SIDE_NAMES[side].capitalize()} takes {duration(hours / 24)} to answer."
            reasons.append(HealthReason("slow_replies", text, points, "replies"))
    reasons += _unanswered(facts)
    if not reasons and len(medians) == 2 and max(medians.values()) <= QUICK_REPLY_HOURS:
        text = "You both answer messages within a day."
        reasons.append(HealthReason("quick_replies", text, QUICK_REPLY_POINTS, "replies"))
    value = max(medians.values()) if medians else None
    return Contribution("replies", value, sum(r.weight for r in reasons)), reasons


def _unanswered(facts: Facts) -> list[HealthReason]:
    """The latest message, not itself an answer, has waited for one (``conversation``)."""
    found = waiting_message(facts)
    if found is None:
        return []
    side, sent = found
    waiting = facts.days_since(sent)
    if waiting < max(7, facts.period / 2):
        return []
    points = ONE_SIDED_POINTS[1 if waiting >= max(14, facts.period) else 0]
    text = f"{SIDE_NAMES[side].capitalize()} wrote {duration(waiting)} ago and has had no answer."
    return [HealthReason("one_sided", text, points, "last_message_at")]


RULES: tuple[Rule, ...] = (
    _meetings_rule,
    _contact_rule,
    _cancellations_rule,
    _overdue_rule,
    _goals_rule,
    _pulse_rule,
    _divergence_rule,
    _amendment_rule,
    _replies_rule,
    baseline_rule,
    pause_rule,
)


def assess(
    signals: HealthSignals,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    previous: str | None = None,
) -> HealthAssessment:
    """The health of one mentorship at ``signals.as_of``.

    Parameters
    ----------
    signals : HealthSignals
        What happened in the mentorship up to ``as_of`` (later events are ignored).
    thresholds : Thresholds, optional
        The score bands of the states; the program's own, or the defaults.
    previous : str, optional
        The state last stored for this mentorship: a flagged pair needs a clear margin to
        recover (hysteresis, see :mod:`tandem.feedback.health.evidence`).

    Returns
    -------
    HealthAssessment
        The state, the 0-100 score, the reasons (concerns first, heaviest first, then
        strengths, then notes of no weight such as a pause under way) and every signal's
        contribution.

    Notes
    -----
    A low score flags only when two kinds of concern agree or one is strong. Three hard rules
    cap the weighted score's state: by the end of a second missed cadence
    period (three periods and at least three weeks after the last meeting) the pair is at least
    at risk; four missed periods make it stalled; a side's last two check-in answers averaging
    1.5 or less make it at least at risk.
    Cost is linear in the number of events given.
    """
    facts = facts_of(signals)
    contributions: list[Contribution] = []
    reasons: list[HealthReason] = []
    for rule in RULES:
        contribution, found = rule(facts)
        contributions.append(contribution)
        reasons += found
    total = BASE_SCORE + sum(c.points for c in contributions)
    score = min(max(total, 0), 100)
    concerns = sorted((r for r in reasons if r.weight < 0), key=lambda r: r.weight)
    strengths = sorted((r for r in reasons if r.weight > 0), key=lambda r: -r.weight)
    notes = [r for r in reasons if r.weight == 0]  # facts such as a pause under way
    return HealthAssessment(
        state=decide_state(facts, score, concerns, thresholds, previous),
        score=score,
        reasons=tuple(concerns + strengths + notes),
        contributions=tuple(contributions),
        missed_periods=facts.missed,
        last_contact_at=_last_contact(facts),
    )
