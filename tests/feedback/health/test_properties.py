"""Rules that must hold for every mentorship (issue #12): generated with hypothesis.

- monotone in missed periods: dropping meetings never improves the state;
- a pair meeting on its cadence with nothing else wrong is never flagged, whatever the cadence;
- skipping two cadence periods is flagged by the end of the second missed period (with no
  meeting booked; ``test_bookings`` checks what a booking postpones).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.feedback.health import (
    CADENCE_DAYS,
    FLAGGED,
    SIDES,
    STATES,
    Booking,
    Cancellation,
    HealthSignals,
    Pulse,
    Reply,
    assess,
    grace_days,
)
from tandem.feedback.health.assessment import SECOND_PERIOD_MIN_DAYS, flagged_after_days

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

cadences = st.sampled_from(sorted(CADENCE_DAYS.values()))
sides = st.sampled_from(SIDES)
offsets = st.floats(min_value=0, max_value=400, allow_nan=False)


def at(days: float) -> datetime:
    return START + timedelta(days=days)


@st.composite
def histories(draw):
    """Any mentorship: meetings, cancellations, pulses, replies, messages and the rest."""
    cadence = draw(cadences)
    as_of = draw(st.floats(min_value=1, max_value=400))
    moment = st.floats(min_value=0, max_value=as_of).map(at)
    return HealthSignals(
        as_of=at(as_of),
        active_since=START,
        cadence_days=cadence,
        meetings_held=tuple(sorted(draw(st.lists(moment, max_size=25)))),
        cancellations=tuple(
            Cancellation(when, side, moved)
            for when, side, moved in draw(
                st.lists(st.tuples(moment, sides, st.booleans()), max_size=6)
            )
        ),
        last_message_at=draw(st.dictionaries(sides, moment)),
        replies=tuple(
            Reply(when, side, hours)
            for when, side, hours in draw(
                st.lists(st.tuples(moment, sides, st.floats(0, 400)), max_size=8)
            )
        ),
        overdue_action_items=tuple(draw(st.lists(moment, max_size=5))),
        goal_progress=draw(st.none() | st.floats(0, 1)),
        pulses=tuple(
            Pulse(when, side, score)
            for when, side, score in draw(
                st.lists(st.tuples(moment, sides, st.integers(1, 5)), max_size=8)
            )
        ),
        divergence_topics=draw(st.lists(st.sampled_from(["expectations", "progress"]), max_size=2)),
        amendment_waiting_days=draw(st.none() | st.floats(0, 60)),
        meetings_booked=tuple(
            Booking(at(as_of + ahead), booked)
            for ahead, booked in draw(st.lists(st.tuples(st.floats(0.01, 60), moment), max_size=2))
        ),
    )


def rank(state: str) -> int:
    return STATES.index(state)  # 0 thriving .. 3 stalled


@settings(max_examples=150, deadline=None)
@given(histories())
def test_dropping_meetings_never_improves_the_state(signals):
    """Each meeting dropped from the end adds missed time; the state can only get worse."""
    ranks = []
    meetings = sorted(signals.meetings_held)
    for kept in range(len(meetings), -1, -1):
        fewer = HealthSignals(**{**vars(signals), "meetings_held": tuple(meetings[:kept])})
        ranks.append(rank(assess(fewer).state))
    assert ranks == sorted(ranks)


@st.composite
def on_cadence(draw):
    """A pair meeting on its cadence (each meeting up to two days early or late), answering
    quickly or not writing at all, assessed any time before the next meeting is overdue."""
    cadence = draw(cadences)
    periods = draw(st.integers(1, 20))
    jitter = st.floats(min_value=-2, max_value=2)
    held = [at(0.5 + draw(st.floats(0, 2)))]
    held += [at(n * cadence + draw(jitter)) for n in range(1, periods)]
    last = (periods - 1) * cadence + 2
    as_of = draw(st.floats(min_value=0, max_value=last + cadence + grace_days(cadence) - 2.01))
    now = at(as_of)
    happy = st.integers(4, 5)
    return HealthSignals(
        as_of=now,
        active_since=START,
        cadence_days=cadence,
        meetings_held=tuple(m for m in held if m <= now),
        pulses=tuple(Pulse(m, side, draw(happy)) for m in held for side in SIDES if m <= now),
        replies=tuple(
            Reply(m, side, draw(st.floats(0, 24))) for m in held for side in SIDES if m <= now
        )
        if draw(st.booleans())
        else (),
        goal_progress=draw(st.none() | st.floats(0.1, 1)),
    )


@settings(max_examples=200, deadline=None)
@given(on_cadence())
def test_a_pair_meeting_on_cadence_is_never_flagged(signals):
    assessment = assess(signals)
    assert assessment.state not in FLAGGED, assessment.reasons


def test_a_monthly_pair_is_not_flagged_for_a_quiet_week():
    held = (at(0), at(30))
    for quiet in range(30, 31 + 30 + 7):
        signals = HealthSignals(
            as_of=at(quiet), active_since=START, cadence_days=30, meetings_held=held
        )
        assert assess(signals).state not in FLAGGED, quiet


@settings(max_examples=150, deadline=None)
@given(histories(), st.floats(min_value=0, max_value=1))
def test_two_skipped_periods_are_flagged_by_the_end_of_the_second(signals, into_second):
    """Whatever else is true (even the best pulses), two whole periods without a meeting after
    the last one, and none booked, are flagged by the end of the second missed period (three
    periods after the last meeting, and three weeks), and stay flagged through the third."""
    cadence = signals.cadence_days
    last = max(signals.meetings_held, default=signals.active_since)
    assert flagged_after_days(cadence) == max(3 * cadence, SECOND_PERIOD_MIN_DAYS)
    skipped = flagged_after_days(cadence) + into_second * cadence
    later = HealthSignals(
        **{**vars(signals), "as_of": last + timedelta(days=skipped), "meetings_booked": ()}
    )
    assert assess(later).state in FLAGGED
