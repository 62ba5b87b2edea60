"""Evidence and hysteresis: a low score flags only when two kinds of concern agree or one is
strong; a flagged pair needs a clear margin to go back to on track."""

from __future__ import annotations

from tandem.feedback.health import AT_RISK, ON_TRACK, Pulse, Thresholds, assess
from tandem.feedback.health.evidence import KIND_OF, RECOVERY_MARGIN, STRONG_CONCERN
from tests.feedback.health.test_rules import day, signals

LOW_BAR = Thresholds(on_track_from=75)  # any concern takes the score under the line


def codes(assessment) -> set[str]:
    return {r.code for r in assessment.reasons if r.weight < 0}


def test_one_kind_of_mild_concern_does_not_flag_however_low_the_line():
    items = signals(
        as_of=10, meetings_held=(day(0),), overdue_action_items=(day(7), day(8), day(9))
    )
    found = assess(items, LOW_BAR)
    assert codes(found) == {"overdue_items"} and found.score < LOW_BAR.on_track_from
    assert found.state == ON_TRACK


def test_two_kinds_agreeing_flag():
    both = signals(
        as_of=10,
        meetings_held=(day(0),),
        overdue_action_items=(day(7), day(8), day(9)),
        divergence_topics=("expectations",),
    )
    assert codes(assess(both, LOW_BAR)) == {"overdue_items", "divergence"}
    assert assess(both, LOW_BAR).state == AT_RISK


def test_one_strong_concern_flags_alone():
    low = signals(
        as_of=30,
        meetings_held=(day(0), day(14), day(28)),
        pulses=(Pulse(day(20), "mentee", 1), Pulse(day(29), "mentee", 1)),
    )
    found = assess(low, LOW_BAR)
    assert codes(found) == {"low_pulse"}
    assert min(r.weight for r in found.reasons) <= STRONG_CONCERN
    assert found.state == AT_RISK


def test_a_flagged_pair_needs_a_margin_to_recover():
    both = signals(
        as_of=10,
        meetings_held=(day(0),),
        overdue_action_items=(day(8), day(9)),
        divergence_topics=("expectations",),
    )
    found = assess(both)
    line = found.score - RECOVERY_MARGIN + 1  # just under the margin above the line
    just_above = Thresholds(on_track_from=line)
    assert assess(both, just_above).state == ON_TRACK
    assert assess(both, just_above, previous=AT_RISK).state == AT_RISK
    clear = Thresholds(on_track_from=found.score - RECOVERY_MARGIN)
    assert assess(both, clear, previous=AT_RISK).state == ON_TRACK


def test_with_no_concern_left_a_flagged_pair_recovers():
    fine = signals(as_of=10, meetings_held=(day(0),))
    assert not codes(assess(fine))
    assert assess(fine, previous=AT_RISK).state != AT_RISK


def test_the_hard_rule_flags_whatever_the_evidence():
    # Only one kind of concern (meetings): the score alone would not flag, the rule does.
    gone = signals(
        as_of=43,
        cadence=14,
        meetings_held=(day(0),),
        goal_progress=0.6,
        last_message_at={"mentee": day(40)},
    )
    found = assess(gone)
    assert {KIND_OF[code] for code in codes(found)} == {"meetings"}
    assert found.state == AT_RISK


def _one_side_at(scores: tuple[int, ...]):
    """A weekly pair meeting on cadence; the mentor rates every check-in 5, the mentee
    ``scores`` (journeys review: 'poor fit' and the lowest pulse beside the mentor's fives)."""
    meetings = tuple(day(n) for n in range(0, 22, 7))
    pulses = tuple(Pulse(day(1 + 7 * k), "mentor", 5) for k in range(len(scores))) + tuple(
        Pulse(day(1 + 7 * k), "mentee", score) for k, score in enumerate(scores)
    )
    return signals(as_of=22, cadence=7, meetings_held=meetings, pulses=pulses)


def test_a_side_twice_at_the_bottom_of_the_scale_is_at_risk_whatever_the_score():
    for scores in ((1, 1), (2, 1)):
        found = assess(_one_side_at(scores))
        assert found.score >= Thresholds().on_track_from  # the points alone read on track
        assert found.state == AT_RISK, scores


def test_one_answer_at_the_bottom_or_two_at_two_are_not_the_floor():
    for scores in ((1,), (2, 2), (1, 4)):
        assert assess(_one_side_at(scores)).state == ON_TRACK, scores
