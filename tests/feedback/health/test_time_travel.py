"""Time travel across daylight-saving changes: the clock is frozen at chosen instants (the
``as_of`` the daily sweep would pass) and the same moments written in Europe/London or
America/New_York must give exactly the answer they give in UTC."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.feedback.health import (
    Booking,
    Cancellation,
    HealthSignals,
    Pause,
    Pulse,
    Reply,
    assess,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# 2026: the US springs forward on 8 March and falls back on 1 November; the UK on 29 March
# and 25 October.
CHANGES = [
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
]


def in_zone(signals: HealthSignals, zone: ZoneInfo) -> HealthSignals:
    """The same mentorship with every moment written in ``zone``, but for a pause's end."""

    def move(moment: datetime) -> datetime:
        return moment.astimezone(zone)

    return replace(
        signals,
        as_of=move(signals.as_of),
        active_since=move(signals.active_since),
        meetings_held=tuple(map(move, signals.meetings_held)),
        cancellations=tuple(replace(c, at=move(c.at)) for c in signals.cancellations),
        last_message_at={side: move(m) for side, m in signals.last_message_at.items()},
        overdue_action_items=tuple(map(move, signals.overdue_action_items)),
        replies=tuple(replace(r, at=move(r.at)) for r in signals.replies),
        pulses=tuple(replace(p, at=move(p.at)) for p in signals.pulses),
        # A pause's end stays in its own zone: that zone is data (the declarer's, in which
        # "Paused until <day>" names the day back, as the pauses page does), not presentation.
        paused=tuple(Pause(move(p.start), p.end) for p in signals.paused),
        meetings_booked=tuple(
            Booking(move(b.start), move(b.booked_at)) for b in signals.meetings_booked
        ),
    )


@st.composite
def around_a_change(draw):
    """A mentorship whose events and frozen clock sit within weeks of a DST change."""
    change = draw(st.sampled_from(CHANGES))
    hours = st.integers(min_value=-24 * 60, max_value=24 * 60)
    start = change - timedelta(days=70)
    moment = hours.map(lambda h: change + timedelta(hours=h))
    sides = st.sampled_from(["mentor", "mentee"])
    pause_start = draw(moment)
    as_of = draw(moment) + timedelta(days=draw(st.integers(0, 60)))
    return HealthSignals(
        as_of=as_of,
        active_since=start,
        cadence_days=draw(st.sampled_from([7, 14, 30])),
        meetings_held=tuple(draw(st.lists(moment, max_size=10))),
        cancellations=tuple(
            Cancellation(m, s) for m, s in draw(st.lists(st.tuples(moment, sides), max_size=4))
        ),
        last_message_at=draw(st.dictionaries(sides, moment)),
        overdue_action_items=tuple(draw(st.lists(moment, max_size=3))),
        replies=tuple(
            Reply(m, s, h)
            for m, s, h in draw(st.lists(st.tuples(moment, sides, st.floats(0, 200)), max_size=5))
        ),
        pulses=tuple(
            Pulse(m, s, v)
            for m, s, v in draw(st.lists(st.tuples(moment, sides, st.integers(1, 5)), max_size=5))
        ),
        paused=(Pause(pause_start, pause_start + timedelta(days=draw(st.integers(1, 21)))),)
        if draw(st.booleans())
        else (),
        meetings_booked=tuple(
            Booking(as_of + timedelta(hours=h), booked)
            for h, booked in draw(st.lists(st.tuples(st.integers(1, 24 * 40), moment), max_size=2))
        ),
    )


@settings(max_examples=120, deadline=None)
@given(around_a_change(), st.sampled_from([LONDON, NEW_YORK]))
def test_local_times_give_the_utc_answer(signals, zone):
    assert assess(in_zone(signals, zone)) == assess(signals)


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK])
@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.date().isoformat())
def test_weekly_local_meetings_across_a_change(zone, change):
    """A pair meeting every Monday at 09:00 their time across the change: frozen at each hour
    of the following three weeks, the answer is the same in local time and in UTC, and the
    pair is flagged by the end of the second missed week (21 days) either way."""
    first_local = (change - timedelta(days=21)).astimezone(zone).replace(hour=9, minute=0)
    local_meetings = [first_local + timedelta(weeks=n) for n in range(4)]  # wall-clock weekly
    last = local_meetings[-1]
    base = HealthSignals(
        as_of=last,
        active_since=first_local,
        cadence_days=7,
        meetings_held=tuple(local_meetings),
    )
    flagged_at = []
    for hours in range(0, 24 * 21 + 1):
        frozen = (last.astimezone(UTC) + timedelta(hours=hours)).astimezone(zone)
        local = replace(base, as_of=frozen)
        utc = in_zone(local, ZoneInfo("UTC"))
        assert assess(local) == assess(utc)
        if assess(local).flagged and not flagged_at:
            flagged_at.append(frozen)
    assert flagged_at, "two skipped weeks must be flagged"
    # Subtract in UTC: two datetimes sharing one ZoneInfo subtract by wall clock.
    assert flagged_at[0].astimezone(UTC) - last.astimezone(UTC) <= timedelta(days=21)
