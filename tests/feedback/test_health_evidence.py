"""The evidence gate: each side's own check-in answers are a piece of evidence of their own,
and weak evidence never turns a stalled-band score into "on track"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.feedback.health import AT_RISK, ON_TRACK, STALLED, HealthReason, assess
from tandem.feedback.health.assessment import DEFAULT_THRESHOLDS, facts_of
from tandem.feedback.health.evidence import decide_state, enough_evidence, evidence_pieces
from tandem.feedback.health.signals import HealthSignals, Pulse

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _pair(scores: tuple[int, ...], *, both: bool = True) -> HealthSignals:
    """A weekly pair meeting on cadence and writing daily, with these pulse scores (oldest
    first) from the mentor and, when ``both``, the mentee too, and an open divergence."""
    sides = ("mentor", "mentee") if both else ("mentor",)
    pulses = tuple(
        Pulse(at=NOW - timedelta(days=7 * (len(scores) - i)), side=side, score=score)
        for side in sides
        for i, score in enumerate(scores)
    )
    return HealthSignals(
        as_of=NOW,
        active_since=NOW - timedelta(weeks=12),
        cadence_days=7,
        meetings_held=tuple(NOW - timedelta(days=d) for d in (2, 9, 16, 23, 30, 37)),
        last_message_at={"mentor": NOW - timedelta(days=1), "mentee": NOW - timedelta(days=1)},
        pulses=pulses,
        divergence_topics=("progress",),
    )


@pytest.mark.parametrize("scores", [(4, 4, 3, 2), (5, 4, 3, 2)])
def test_both_sides_pulses_collapsing_flag_the_pair(scores):
    """The reviewer's case (finding 3): score in the at-risk band, reasons from both sides;
    it used to read "on track" because all of them were one "mood" piece."""
    found = assess(_pair(scores))
    assert found.score < DEFAULT_THRESHOLDS.on_track_from
    assert {r.side for r in found.reasons if r.code == "low_pulse"} == {"mentor", "mentee"}
    assert found.state == AT_RISK


def test_one_sides_low_and_falling_pulse_stay_one_piece():
    found = assess(_pair((4, 4, 3, 2), both=False))
    mood = [r for r in found.reasons if r.weight < 0]
    assert {r.code for r in mood} >= {"low_pulse", "falling_pulse", "divergence"}
    assert evidence_pieces(mood) == 1
    assert found.state == ON_TRACK


def test_a_concern_of_no_side_counts_only_without_a_sided_one_of_its_kind():
    divergence = HealthReason("divergence", "d", -5, "divergence_topics")
    low = HealthReason("low_pulse", "l", -15, "pulses", "mentor")
    missed = HealthReason("missed_periods", "m", -9, "meetings_held")
    assert evidence_pieces([divergence]) == 1
    assert evidence_pieces([divergence, low]) == 1
    assert evidence_pieces([divergence, missed]) == 2
    assert not enough_evidence([divergence, low])


def test_weak_evidence_softens_a_stalled_score_to_at_risk_only():
    facts = facts_of(_pair((5, 5, 5, 5)))
    one_piece = [HealthReason("overdue_items", "o", -18, "overdue_action_items")]
    assert decide_state(facts, 10, one_piece, DEFAULT_THRESHOLDS) == AT_RISK
    assert decide_state(facts, 30, one_piece, DEFAULT_THRESHOLDS) == ON_TRACK
    two_pieces = [*one_piece, HealthReason("slow_replies", "s", -8, "replies")]
    assert decide_state(facts, 10, two_pieces, DEFAULT_THRESHOLDS) == STALLED
