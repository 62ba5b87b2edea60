"""Relationship health: pure rules from a mentorship's signals to a state with reasons.

No Django here: the caller gathers :class:`HealthSignals` and stores what :func:`assess`
returns. See ``docs/health.md`` for every signal, its weight and how they were chosen.
"""

from tandem.feedback.health.assessment import (
    AT_RISK,
    DEFAULT_THRESHOLDS,
    FLAGGED,
    ON_TRACK,
    STALLED,
    STATES,
    THRIVING,
    Contribution,
    HealthAssessment,
    HealthReason,
    Thresholds,
    grace_days,
    missed_periods,
)
from tandem.feedback.health.baseline import baseline_of
from tandem.feedback.health.reasons import REASON_CODES, REASONS, ReasonCode, suggested_actions
from tandem.feedback.health.rules import assess
from tandem.feedback.health.signals import (
    BASELINE_DAYS,
    CADENCE_DAYS,
    SIDES,
    Baseline,
    Booking,
    Cancellation,
    HealthSignals,
    Pause,
    Pulse,
    Reply,
    Side,
)

__all__ = [
    "AT_RISK",
    "BASELINE_DAYS",
    "CADENCE_DAYS",
    "DEFAULT_THRESHOLDS",
    "FLAGGED",
    "ON_TRACK",
    "REASONS",
    "REASON_CODES",
    "SIDES",
    "STALLED",
    "STATES",
    "THRIVING",
    "Baseline",
    "Booking",
    "Cancellation",
    "Contribution",
    "HealthAssessment",
    "HealthReason",
    "HealthSignals",
    "Pause",
    "Pulse",
    "ReasonCode",
    "Reply",
    "Side",
    "Thresholds",
    "assess",
    "baseline_of",
    "grace_days",
    "missed_periods",
    "suggested_actions",
]
