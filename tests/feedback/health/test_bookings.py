"""A meeting booked within the next period postpones a missed period instead of skipping it
(issue #12: "a pair that skips two cadence periods is flagged by then"; a period is skipped
when no meeting was held in it and none was moved out of it to a booked date)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.feedback.health import STATES, Booking, HealthSignals, assess, missed_periods
from tandem.feedback.health.assessment import flagged_after_days

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def weekly_gap(as_of: float, *bookings: Booking) -> HealthSignals:
    """A weekly pair that last met on day 7 (a holiday nobody declared followed) and wrote
    to each other the day before ``as_of``."""
    return HealthSignals(
        as_of=day(as_of),
        active_since=START,
        cadence_days=7,
        meetings_held=(day(0), day(7)),
        last_message_at={"mentor": day(as_of - 1.2), "mentee": day(as_of - 1)},
        meetings_booked=bookings,
    )


BOOKED_AT_LAST_MEETING = Booking(start=day(31), booked_at=day(7.1))


def test_a_meeting_booked_within_the_period_postpones_the_flag():
    at_hard_rule = 7 + flagged_after_days(7)  # day 28: three weeks without a meeting
    assert assess(weekly_gap(at_hard_rule)).flagged
    booked = assess(weekly_gap(at_hard_rule, BOOKED_AT_LAST_MEETING))
    assert not booked.flagged
    assert missed_periods(weekly_gap(at_hard_rule, BOOKED_AT_LAST_MEETING)) == 1
    assert "Your next meeting is booked in 3 days." in booked.reasons[0].text


def test_a_cancelled_booking_flags_again():
    """Called off on day 29: the caller no longer passes it, and the gap is two missed
    periods again; once the booked date has passed, the booking no longer counts either."""
    assert not assess(weekly_gap(28.5, BOOKED_AT_LAST_MEETING)).flagged
    assert assess(weekly_gap(29)).flagged
    assert assess(weekly_gap(31.5, BOOKED_AT_LAST_MEETING)).flagged


def test_a_booking_postpones_one_period_only():
    """Moved week after week, the pair is flagged one period after the hard rule."""
    moved_again = Booking(start=day(38), booked_at=day(33))
    assert not assess(weekly_gap(34.9, moved_again)).flagged
    assert assess(weekly_gap(35, moved_again)).flagged


def test_bookings_that_do_not_count():
    later = Booking(start=day(36), booked_at=day(20))  # more than a period away
    series = Booking(start=day(30), booked_at=day(0))  # booked 30 days ahead: a series
    not_yet = Booking(start=day(30), booked_at=day(29))  # booked after the moment assessed
    for booking in (later, series, not_yet):
        assert assess(weekly_gap(28, booking)).flagged, booking


moments = st.floats(min_value=0, max_value=120)


@st.composite
def gaps_with_bookings(draw):
    cadence = draw(st.sampled_from([7, 14, 30]))
    meetings = sorted(draw(st.lists(moments, max_size=10)))
    as_of = draw(st.floats(min_value=1, max_value=160))
    bookings = tuple(
        Booking(start=day(as_of + ahead), booked_at=day(max(as_of - lead, 0)))
        for ahead, lead in draw(
            st.lists(st.tuples(st.floats(0.01, 40), st.floats(0, 100)), max_size=3)
        )
    )
    return HealthSignals(
        as_of=day(as_of),
        active_since=START,
        cadence_days=cadence,
        meetings_held=tuple(day(m) for m in meetings if m <= as_of),
        meetings_booked=bookings,
    )


def rank(signals: HealthSignals) -> int:
    return STATES.index(assess(signals).state)


@settings(max_examples=150, deadline=None)
@given(gaps_with_bookings())
def test_calling_off_a_booking_never_improves_the_state(signals):
    without = replace(signals, meetings_booked=())
    assert rank(without) >= rank(signals)
    assert missed_periods(without) >= missed_periods(signals)


@settings(max_examples=150, deadline=None)
@given(gaps_with_bookings())
def test_with_a_booking_dropping_meetings_never_improves_the_state(signals):
    meetings = sorted(signals.meetings_held)
    ranks = [
        rank(replace(signals, meetings_held=tuple(meetings[:kept])))
        for kept in range(len(meetings), -1, -1)
    ]
    assert ranks == sorted(ranks)


@settings(max_examples=150, deadline=None)
@given(gaps_with_bookings(), st.floats(min_value=0, max_value=1))
def test_a_booked_pair_is_flagged_one_period_after_the_hard_rule(signals, into_period):
    """Whatever is booked, a pair is flagged by the end of its third missed period."""
    cadence = signals.cadence_days
    last = max(signals.meetings_held, default=signals.active_since)
    later = last + timedelta(days=flagged_after_days(cadence) + cadence * (1 + into_period))
    moved = tuple(
        replace(b, start=later + (b.start - signals.as_of), booked_at=later - timedelta(days=1))
        for b in signals.meetings_booked
    )
    assert assess(replace(signals, as_of=later, meetings_booked=moved)).flagged
