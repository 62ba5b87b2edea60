"""How the weighted score becomes a state: the bands, evidence from more than one kind of
signal, the two hard rules of missed periods, and hysteresis on the way back.

- **Evidence.** A low score flags a pair (at risk or stalled) only when concerns of two
  independent kinds agree (say, missed meetings and slower replies) or one concern is strong
  on its own (:data:`STRONG_CONCERN` points or more). Several reasons of one kind (three
  cancellation reasons) are one piece of evidence, not three.
- **Hard rules.** Two missed cadence periods make a pair at least at risk by the end of the
  second; four make it stalled; whatever the score.
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

STALLED_AFTER_MISSED = 4
STRONG_CONCERN = -20  # one concern this heavy flags on its own
RECOVERY_MARGIN = 10
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
}


def enough_evidence(concerns: Sequence[HealthReason]) -> bool:
    """Two kinds of concern agree, or one concern is strong on its own."""
    kinds = {KIND_OF.get(reason.code, reason.code) for reason in concerns}
    return len(kinds) >= 2 or any(reason.weight <= STRONG_CONCERN for reason in concerns)


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
        state = ON_TRACK
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
    return state


__all__ = ["KIND_OF", "decide_state", "enough_evidence"]
