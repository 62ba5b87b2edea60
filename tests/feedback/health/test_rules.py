"""Examples of the health rules: each reason's words and numbers, pauses, the contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.feedback.health import (
    AT_RISK,
    CADENCE_DAYS,
    REASON_CODES,
    REASONS,
    STALLED,
    STATES,
    THRIVING,
    Cancellation,
    HealthSignals,
    Pause,
    Pulse,
    Reply,
    Thresholds,
    assess,
    missed_periods,
    suggested_actions,
)
from tandem.feedback.health.signals import NAIVE_DATETIME
from tandem.matching.records.cells import CADENCES

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def signals(*, as_of: float, cadence: int = 14, **fields) -> HealthSignals:
    return HealthSignals(as_of=day(as_of), active_since=START, cadence_days=cadence, **fields)


def codes(assessment) -> list[str]:
    return [reason.code for reason in assessment.reasons]


def thriving_fields(upto: float, cadence: int) -> dict:
    meetings = tuple(day(n) for n in range(0, int(upto) + 1, cadence))
    return {
        "meetings_held": meetings,
        "pulses": tuple(Pulse(m, side, 5) for m in meetings for side in ("mentor", "mentee")),
        "replies": tuple(Reply(m, side, 3.0) for m in meetings for side in ("mentor", "mentee")),
        "goal_progress": 0.6,
    }


class TestReasons:
    def test_missed_periods_in_plain_words(self):
        assessment = assess(signals(as_of=42, meetings_held=(day(0),)))
        assert assessment.missed_periods == 2
        assert assessment.flagged
        reason = assessment.reasons[0]
        assert reason.code == "missed_periods"
        assert reason.text == "You have not met for 6 weeks; you agreed to meet every 2 weeks."
        assert reason.signal == "meetings_held"
        assert reason.weight < 0

    def test_never_met_counts_from_the_start(self):
        assessment = assess(signals(as_of=30, cadence=7))
        texts = {reason.code: reason.text for reason in assessment.reasons}
        assert texts["missed_periods"] == (
            "You have not met since the mentorship started 4 weeks ago; "
            "you agreed to meet every week."
        )

    def test_thriving_pair_gets_strengths_only(self):
        assessment = assess(signals(as_of=60, **thriving_fields(56, 14)))
        assert assessment.state == THRIVING
        assert assessment.score >= 90
        assert set(codes(assessment)) == {
            "meets_on_cadence",
            "quick_replies",
            "high_pulse",
            "goal_progress",
        }
        assert all(reason.weight > 0 for reason in assessment.reasons)

    def test_concerns_come_first_heaviest_first(self):
        assessment = assess(
            signals(
                as_of=20,
                meetings_held=(day(0), day(14)),
                overdue_action_items=(day(2), day(18)),
                divergence_topics=("expectations", "progress"),
                goal_progress=0.7,
            )
        )
        assert codes(assessment) == ["overdue_items", "divergence", "goal_progress"]
        assert assessment.reasons[1].text == (
            "You answered the latest check-in differently about expectations, progress; "
            "talk about what each of you expects."
        )
        assert assessment.reasons[0].text == (
            "2 action items fell due in the last 6 weeks and are not done."
        )

    def test_cancellations_in_a_row_and_by_one_side(self):
        cancelled = tuple(Cancellation(day(n), "mentee") for n in (15, 22, 29))
        assessment = assess(
            signals(as_of=30, meetings_held=(day(0), day(14)), cancellations=cancelled)
        )
        by_code = {reason.code: reason for reason in assessment.reasons}
        assert by_code["cancellations"].text == (
            "The last 3 meetings were cancelled or moved, with none held since."
        )
        assert by_code["cancelling_side"].text == (
            "The mentee called off 3 meetings in the last 8 weeks; 2 took place."
        )

    def test_pulse_low_falling_and_gap(self):
        pulses = (
            *(Pulse(day(n), "mentee", 5) for n in (2, 4, 6)),
            Pulse(day(10), "mentee", 2),
            Pulse(day(24), "mentee", 2),
            Pulse(day(24), "mentor", 5),
        )
        assessment = assess(signals(as_of=26, meetings_held=(day(0), day(14)), pulses=pulses))
        texts = {reason.code: reason.text for reason in assessment.reasons}
        assert texts["low_pulse"] == "The mentee rated the latest check-ins 2 and 2 out of 5."
        assert texts["falling_pulse"] == (
            "The mentee's check-in scores fell from 5.0 to 2.0 out of 5."
        )
        assert texts["pulse_gap"] == (
            "You rate the mentorship differently: the mentor 5, the mentee 2 out of 5."
        )
        assert assessment.state in (AT_RISK, STALLED)

    def test_slow_replies_and_unanswered_message(self):
        replies = tuple(Reply(day(n), "mentor", 100.0) for n in (3, 6, 9))
        assessment = assess(
            signals(
                as_of=26,
                meetings_held=(day(0), day(14)),
                replies=replies,
                last_message_at={"mentee": day(16), "mentor": day(9)},
            )
        )
        texts = {reason.code: reason.text for reason in assessment.reasons}
        assert texts["slow_replies"] == "The mentor takes 4 days to answer."
        assert texts["one_sided"] == "The mentee wrote 10 days ago and has had no answer."

    def test_a_meeting_answers_a_message(self):
        assessment = assess(
            signals(as_of=26, meetings_held=(day(0), day(20)), last_message_at={"mentee": day(16)})
        )
        assert "one_sided" not in codes(assessment)

    def test_silence_and_unsigned_amendment(self):
        assessment = assess(
            signals(as_of=40, cadence=7, meetings_held=(day(0),), amendment_waiting_days=31)
        )
        texts = {reason.code: reason.text for reason in assessment.reasons}
        assert texts["no_contact"] == "Neither of you has met or written for 5 weeks."
        assert texts["unsigned_amendment"] == (
            "An amendment to your agreement has waited 4 weeks for a signature."
        )
        assert assessment.state == STALLED

    def test_stuck_goals_after_two_months(self):
        fields = {"meetings_held": (day(0), day(14), day(28), day(42), day(56))}
        early = assess(signals(as_of=30, goal_progress=0.0, **fields))
        late = assess(signals(as_of=60, goal_progress=0.0, **fields))
        assert "stuck_goals" not in codes(early)
        assert "stuck_goals" in codes(late)

    def test_events_after_as_of_are_ignored(self):
        future = {
            "meetings_held": (day(0), day(30)),
            "cancellations": (Cancellation(day(31), "mentor"),),
            "pulses": (Pulse(day(31), "mentee", 1),),
        }
        assert assess(signals(as_of=20, **future)) == assess(
            signals(as_of=20, meetings_held=(day(0),))
        )

    def test_program_thresholds(self):
        plain = signals(
            as_of=10,
            meetings_held=(day(0),),
            overdue_action_items=(day(7), day(8), day(9)),
            divergence_topics=("expectations",),
        )
        assert assess(plain).state != AT_RISK
        assert assess(plain, Thresholds(on_track_from=70)).state == AT_RISK


class TestPauses:
    def test_paused_days_are_not_missed(self):
        pause = Pause(day(5), day(33))
        held = (day(0),)
        assert missed_periods(signals(as_of=40, meetings_held=held)) == 2
        paused = signals(as_of=40, meetings_held=held, paused=(pause,))
        assert missed_periods(paused) == 0
        assert assess(paused).state not in (AT_RISK, STALLED)

    def test_overlapping_pauses_count_once(self):
        both = signals(as_of=40, paused=(Pause(day(5), day(20)), Pause(day(10), day(25))))
        assert both.active_days_between(day(0), day(40)) == pytest.approx(20)

    def test_both_sides_ordinary_holidays_are_no_concern(self):
        """Four declared breaks of two weeks in a year (two a side, 56 days) are what we ask
        pairs to declare; a fifth, or more than nine weeks, is a long break."""
        breaks = tuple(Pause(day(20 + 80 * n), day(34 + 80 * n)) for n in range(5))
        held = tuple(day(n) for n in range(0, 361, 14))

        def long_pause(pauses: tuple[Pause, ...]) -> bool:
            found = assess(signals(as_of=360, meetings_held=held, paused=pauses))
            return "long_pause" in {r.code for r in found.reasons}

        assert not long_pause(breaks[:4])
        assert long_pause(breaks)
        assert long_pause((Pause(day(100), day(165)),))


class TestContract:
    def test_every_cadence_has_a_length(self):
        assert set(CADENCE_DAYS) == set(CADENCES)
        assert CADENCE_DAYS["weekly"] == 7
        assert CADENCE_DAYS["biweekly"] == 14

    def test_codes_are_unique_short_and_have_actions(self):
        assert len(REASONS) == len(REASON_CODES)
        for reason in REASON_CODES:
            assert len(reason.code) <= 40  # the interventions' reason_code column
            assert reason.meaning.endswith(".")
            assert suggested_actions(reason.code)

    def test_unknown_code(self):
        with pytest.raises(KeyError, match="no_such_code"):
            suggested_actions("no_such_code")

    def test_states_best_first(self):
        assert STATES == ("thriving", "on_track", "at_risk", "stalled")

    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            HealthSignals(as_of=datetime(2026, 1, 1), active_since=START, cadence_days=7)
        assert "as_of" in NAIVE_DATETIME.format(value=1, field="as_of")

    def test_bad_values_are_refused(self):
        with pytest.raises(ValueError, match="at least one day"):
            signals(as_of=1, cadence=0)
        with pytest.raises(ValueError, match="share from 0 to 1"):
            signals(as_of=1, goal_progress=1.5)
        with pytest.raises(ValueError, match="from 1 to 5"):
            Pulse(START, "mentee", 6)
        with pytest.raises(ValueError, match="must end after"):
            Pause(day(2), day(1))
