"""Health as each side of the pair may know it (issue #12: a check-in's answers are its
author's; the admins see a mentorship's health).

Besides the full assessment (the admins'), every refresh assesses each side's view: the same
signals without the other side's pulse answers (the divergence prompt stays, both are asked to
talk). Everything the pair reads (the state, its reasons, the nudge, the guidance) comes from
the reader's own view, so neither can learn from it how the other answered. Each view keeps its
own state, ``state_since`` and flagged spell, so hysteresis and nudges work per side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from tandem.feedback.health import FLAGGED, HealthAssessment, HealthSignals
from tandem.feedback.health.signals import Side

# Reasons read from check-in answers are stored in words that quote no answer, name no side
# and give no topic: the pair and the admins read health, but a check-in's answers are its
# author's (DESIGN.md), and "the mentee rated it 1 of 5" would tell both what was not shared.
ANSWER_FREE_TEXT = {
    "low_pulse": "Recent check-in answers say it is not going as hoped: talk about how it goes.",
    "falling_pulse": "Check-in answers have dropped lately: talk about what changed.",
    "below_own_pulse": "Check-in answers are lower than in the first weeks: talk about it.",
    "pulse_gap": "The two sides see the mentorship differently in their check-ins.",
    "divergence": "The two sides answered a check-in differently and have not talked it over.",
    "high_pulse": "Recent check-ins say it is going well.",
}


def reasons_of(assessment: HealthAssessment) -> list[dict[str, object]]:
    return [
        {
            "code": reason.code,
            "text": ANSWER_FREE_TEXT.get(reason.code, reason.text),
            "weight": reason.weight,
        }
        for reason in assessment.reasons
    ]


def flagged_since(
    previous_state: str | None, previous_since: object, state: str, now: datetime
) -> str | None:
    """When the current flagged spell began (ISO), kept while the state stays flagged."""
    if state not in FLAGGED:
        return None
    if previous_state in FLAGGED and previous_since:
        return str(previous_since)
    return now.isoformat()


def signals_seen_by(signals: HealthSignals, side: Side) -> HealthSignals:
    """``signals`` without the other side's pulse answers."""
    return replace(signals, pulses=tuple(p for p in signals.pulses if p.side == side))


def _codes(reasons: list[dict[str, object]]) -> list[object]:
    return [reason["code"] for reason in reasons]


def side_view(
    assessment: HealthAssessment, previous: Mapping[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """What one side's view stores: its state, since when, its flagged spell, its reasons and
    ``changed_at``, when its state or reasons last changed: the time the pair reads instead of
    ``computed_at``, which moves with every refresh, the other side's answers and edits
    included, and so would tell one side when the other answered."""
    before = previous or {}
    kept = before.get("state") == assessment.state
    reasons = reasons_of(assessment)
    unchanged = kept and _codes(before.get("reasons", [])) == _codes(reasons)
    return {
        "state": assessment.state,
        "state_since": before["state_since"] if kept else now.isoformat(),
        "flagged_since": flagged_since(
            before.get("state"), before.get("flagged_since"), assessment.state, now
        ),
        "reasons": reasons,
        "changed_at": before.get("changed_at", before["state_since"])
        if unchanged
        else now.isoformat(),
    }


def side_episode(side: str, view: Mapping[str, Any]) -> str:
    """The key of a side's nudge: one per side and flagged spell of its view."""
    return f"{side}:{view['flagged_since']}"
