"""Each pair against its own first weeks: the baseline and the changes it makes visible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tandem.feedback.health import Cancellation, HealthSignals, Pulse, Reply, assess
from tandem.feedback.health.baseline import baseline_of

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def reasons(**fields) -> dict[str, str]:
    signals = HealthSignals(active_since=START, cadence_days=14, **fields)
    return {reason.code: reason.text for reason in assess(signals).reasons}


def first_weeks(**events):
    return baseline_of(
        active_since=START,
        meetings_held=events.get("meetings", ()),
        cancellations=events.get("cancellations", ()),
        replies=events.get("replies", ()),
        pulses=events.get("pulses", ()),
    )


def test_the_baseline_reads_only_the_first_eight_weeks():
    baseline = first_weeks(
        meetings=(day(0), day(14), day(28), day(100)),
        cancellations=(Cancellation(day(20), "mentee", True), Cancellation(day(90), "mentor")),
        replies=(
            *(Reply(day(n), "mentee", 6.0) for n in (3, 10, 17)),
            Reply(day(80), "mentee", 90),
        ),
        pulses=(
            Pulse(day(14), "mentor", 5),
            Pulse(day(28), "mentor", 4),
            Pulse(day(70), "mentor", 1),
        ),
    )
    assert baseline.reply_hours == {"mentee": 6.0}
    assert baseline.pulse == {"mentor": 4.5}
    assert baseline.cancellations_per_meeting == 1 / 3


def test_slower_replies_in_plain_words_against_the_first_weeks():
    early = tuple(Reply(day(n), "mentee", 5.0) for n in (3, 10, 17))
    late = tuple(Reply(day(n), "mentee", 100.0) for n in (70, 75, 80))
    texts = reasons(
        as_of=day(84),
        meetings_held=tuple(day(n) for n in range(0, 84, 14)),
        replies=early + late,
        baseline=first_weeks(replies=early),
    )
    assert texts["slower_replies"] == (
        "Replies from the mentee now take 4 days; they took under a day in your first 8 weeks."
    )


def test_a_pair_that_was_always_slow_is_judged_by_its_own_pace():
    always = tuple(Reply(day(n), "mentee", 60.0) for n in (3, 10, 17, 70, 75, 80))
    texts = reasons(
        as_of=day(84),
        meetings_held=tuple(day(n) for n in range(0, 84, 14)),
        replies=always,
        baseline=first_weeks(replies=always),
    )
    assert "slower_replies" not in texts


def test_more_cancellations_and_a_pulse_below_its_own_level():
    meetings = (day(0), day(14), day(28), day(42), day(56), day(70))
    cancellations = tuple(Cancellation(day(n), "mentor", True) for n in (72, 76, 80))
    pulses = (
        *(Pulse(day(n), "mentee", 5) for n in (14, 28, 42)),
        Pulse(day(70), "mentee", 3),
        Pulse(day(80), "mentee", 3),
    )
    texts = reasons(
        as_of=day(84),
        meetings_held=meetings,
        cancellations=cancellations,
        pulses=pulses,
        baseline=first_weeks(meetings=meetings, pulses=pulses),
    )
    assert texts["more_cancellations"] == (
        "3 meetings were called off or moved in the last 6 weeks, with 3 held; "
        "in your first 8 weeks it was 0 for each meeting held."
    )
    assert texts["below_own_pulse"] == (
        "The mentee now rates the mentorship 3 out of 5; it was 5.0 in your first 8 weeks."
    )


def test_without_a_baseline_nothing_is_compared():
    late = tuple(Reply(day(n), "mentee", 100.0) for n in (70, 75, 80))
    texts = reasons(as_of=day(84), meetings_held=(day(70),), replies=late)
    assert not {"slower_replies", "more_cancellations", "below_own_pulse"} & set(texts)
