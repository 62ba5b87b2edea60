"""How the weighted score becomes a state: the bands, evidence from more than one kind of
signal, the hard rules (missed periods, a side's answers at the bottom of the scale), and
hysteresis on the way back.

- **Evidence.** A low score flags a pair (at risk or stalled) only when concerns of two
  independent kinds agree (say, missed meetings and slower replies) or one concern is strong
  on its own (:data:`STRONG_CONCERN` points or more). Several reasons of one kind (three
  cancellation reasons) are one piece of evidence, not three; but each side's own check-in
  answers count apart, so both sides' pulses falling are two. Weak evidence softens a
  stalled-band score to at risk, never further.
- **Hard rules.** Two missed cadence periods make a pair at least at risk by the end of the
  second; four make it stalled; a side whose last two check-in answers are at the bottom of
  the scale (:data:`FLOOR_PULSE`) makes it at least at risk; whatever the score.
- **Hysteresis.** A flagged pair goes back to on track only once its score is
  :data:`RECOVERY_MARGIN` points above the at-risk line (or no concern is left): one meeting
  after weeks of silence should not switch the alert off and on again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tandem.feedback.health.assessment import (
    AT_RISK,
    FLAGGED,
    ON_TRACK,
    STALLED,
    THRIVING,
    Facts,
    HealthReason,
    Thresholds,
    flagged_after_days,
)
from tandem.feedback.health.signals import SIDES

STALLED_AFTER_MISSED = 4
STRONG_CONCERN = -20  # one concern this heavy flags on its own
RECOVERY_MARGIN = 10
# A side whose last two answers are at the bottom of the scale (1 and 1, or 1 and 2) makes the
# pair at least at risk, whatever else goes well: a hard rule, not points (journeys review: a
# mentee's "poor fit" and lowest pulse beside the mentor's fives read "on track").
FLOOR_PULSE = 1.5
FLOOR_ANSWERS = 2
# Independent kinds of evidence; each concern code belongs to one.
KIND_OF: Mapping[str, str] = {
    "missed_periods": "meetings",
    "no_contact": "contact",
    "cancellations": "cancellations",
    "cancelling_side": "cancellations",
    "more_cancellations": "cancellations",
    "overdue_items": "work",
    "stuck_goals": "work",
    "low_pulse": "mood",
    "falling_pulse": "mood",
    "pulse_gap": "mood",
    "below_own_pulse": "mood",
    "divergence": "mood",
    "slow_replies": "replies",
    "one_sided": "replies",
    "slower_replies": "replies",
    "unsigned_amendment": "agreement",
    "long_pause": "pause",
}


def evidence_pieces(concerns: Sequence[HealthReason]) -> int:
    """Independent pieces of evidence: one per kind of concern, except that each side's own
    answers count apart (both sides' pulses falling are two pieces; one side's low and falling
    pulse are one). A concern of no side (a gap between the sides, a divergence) adds a piece
    only when no side's concern of its kind is there."""
    pieces: set[tuple[str, str | None]] = set()
    for reason in concerns:
        pieces.add((KIND_OF.get(reason.code, reason.code), reason.side))
    sided = {kind for kind, side in pieces if side is not None}
    return sum(1 for kind, side in pieces if side is not None or kind not in sided)


def enough_evidence(concerns: Sequence[HealthReason]) -> bool:
    """Two pieces of evidence agree, or one concern is strong on its own."""
    strong = any(reason.weight <= STRONG_CONCERN for reason in concerns)
    return strong or evidence_pieces(concerns) >= 2


def side_at_floor(facts: Facts) -> bool:
    """Whether a side's last :data:`FLOOR_ANSWERS` check-in answers average ``FLOOR_PULSE``
    or less."""
    for side in SIDES:
        recent = facts.side_scores(side)[-FLOOR_ANSWERS:]
        if len(recent) == FLOOR_ANSWERS and sum(recent) / FLOOR_ANSWERS <= FLOOR_PULSE:
            return True
    return False


def _band(score: int, concerns: bool, thresholds: Thresholds) -> str:
    if score >= thresholds.thriving_from and not concerns:
        return THRIVING
    if score >= thresholds.on_track_from:
        return ON_TRACK
    if score >= thresholds.at_risk_from:
        return AT_RISK
    return STALLED


def decide_state(
    facts: Facts,
    score: int,
    concerns: Sequence[HealthReason],
    thresholds: Thresholds,
    previous: str | None = None,
) -> str:
    """The state from the score's band, the evidence, the hard rules and the previous state."""
    state = _band(score, bool(concerns), thresholds)
    if state in FLAGGED and not enough_evidence(concerns):
        # Weak evidence softens a flag by one step at most: a score in the stalled band
        # never reads as on track.
        state = AT_RISK if state == STALLED else ON_TRACK
    if (
        previous in FLAGGED
        and state not in FLAGGED
        and concerns
        and score < thresholds.on_track_from + RECOVERY_MARGIN
    ):
        state = AT_RISK
    if facts.missed >= STALLED_AFTER_MISSED:
        return STALLED
    if facts.gap >= flagged_after_days(facts.period) and state not in FLAGGED:
        return AT_RISK
    if side_at_floor(facts) and state not in FLAGGED:
        return AT_RISK
    return state


__all__ = ["KIND_OF", "decide_state", "enough_evidence", "evidence_pieces"]
