"""The "no answer" signal on message sequences: an answer does not itself wait for one.

Each sequence goes through the product's own path: ``replies_of`` (the selector's reading of a
conversation) and each side's latest message become the signals the rules read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.feedback.health import SIDES, HealthSignals, Side, assess
from tandem.feedback.health.assessment import facts_of
from tandem.feedback.health.conversation import (
    SAME_SITTING,
    answer_within_days,
    waiting_message,
)
from tandem.feedback.selectors.health_history import replies_of
from tests.feedback.health.test_rules import START, day

Message = tuple[Side, datetime]
cadences = st.sampled_from([7, 14, 30, 91])


def other(side: Side) -> Side:
    return "mentee" if side == "mentor" else "mentor"


def signals_of(
    messages: list[Message], *, as_of: float, cadence: int = 14, meetings: tuple = ()
) -> HealthSignals:
    last = dict(messages)  # in time order: the latest wins
    return HealthSignals(
        as_of=day(as_of),
        active_since=START,
        cadence_days=cadence,
        meetings_held=meetings,
        last_message_at=last,
        replies=tuple(replies_of(messages)),
    )


def waiting(messages: list[Message], **fields) -> tuple[Side, datetime] | None:
    return waiting_message(facts_of(signals_of(messages, **fields)))


def one_sided(messages: list[Message], **fields) -> bool:
    return "one_sided" in {r.code for r in assess(signals_of(messages, **fields)).reasons}


def left_without_answer(messages: list[Message], cadence: int, meetings: tuple) -> Message | None:
    """The rule in words, on the whole sequence: the latest run of one side's messages waits
    unless a meeting came after it, or it began with an answer to the other side's latest
    message (within the answer window) and ended within a day of that answer."""
    side, last = messages[-1]
    if any(meeting >= last for meeting in meetings):
        return None
    run = 0
    while run < len(messages) and messages[-1 - run][0] == side:
        run += 1
    if run == len(messages):
        return side, last  # nobody has written back yet
    theirs, first = messages[-1 - run][1], messages[-run][1]
    window = timedelta(days=answer_within_days(cadence))
    if first - theirs <= window and last - first < SAME_SITTING:
        return None
    return side, last


@st.composite
def conversations(draw) -> list[Message]:
    """A conversation in time order: who writes, and days between messages (no two at once)."""
    steps = draw(
        st.lists(
            st.tuples(st.sampled_from(SIDES), st.floats(0.01, 40, allow_nan=False)),
            min_size=1,
            max_size=12,
        )
    )
    moment, messages = 0.0, []
    for side, gap in steps:
        moment += gap
        messages.append((side, day(moment)))
    return messages


def days_after(moment: datetime, days: float) -> float:
    return (moment - START) / timedelta(days=1) + days


@settings(max_examples=300, deadline=None)
@given(conversations(), cadences, st.lists(st.floats(0, 500), max_size=4), st.floats(0, 300))
def test_the_signals_find_exactly_the_message_left_without_an_answer(
    messages, cadence, meeting_days, wait
):
    meetings = tuple(
        sorted(day(d) for d in meeting_days if day(d) <= messages[-1][1] + timedelta(days=wait))
    )
    as_of = days_after(messages[-1][1], wait)
    expected = left_without_answer(messages, cadence, meetings)
    assert waiting(messages, as_of=as_of, cadence=cadence, meetings=meetings) == expected


@settings(max_examples=200, deadline=None)
@given(conversations(), cadences, st.floats(0, 0.99), st.floats(0, 400))
def test_a_conversation_that_ends_on_an_answer_never_waits(messages, cadence, delay, wait):
    side, last = messages[-1]
    answered = [*messages, (other(side), last + timedelta(days=delay))]
    as_of = days_after(answered[-1][1], wait)
    assert waiting(answered, as_of=as_of, cadence=cadence) is None
    assert not one_sided(answered, as_of=as_of, cadence=cadence)


@settings(max_examples=200, deadline=None)
@given(conversations(), cadences)
def test_a_message_nobody_answers_is_reported_once_it_has_waited(messages, cadence):
    side, last = messages[-1]
    new = last + timedelta(days=answer_within_days(cadence) + 1)  # a new start, not an answer
    fresh = [*messages[:-1], (side, new)]
    threshold = max(7, cadence / 2)
    assert not one_sided(fresh, as_of=days_after(new, threshold - 0.5), cadence=cadence)
    assert one_sided(fresh, as_of=days_after(new, threshold), cadence=cadence)


def test_the_reported_case_an_answer_that_ended_the_conversation():
    # The mentee asks, the mentor answers the next day, and both move on to their meetings.
    messages: list[Message] = [("mentee", day(1)), ("mentor", day(2))]
    assert waiting(messages, as_of=40) is None
    assert not one_sided(messages, as_of=25)


def test_a_new_question_a_day_after_ones_own_answer_waits():
    messages: list[Message] = [("mentee", day(1)), ("mentor", day(2)), ("mentor", day(4))]
    assert waiting(messages, as_of=12) == ("mentor", day(4))
    assert one_sided(messages, as_of=12)


def test_a_message_long_after_the_other_sides_is_a_new_start():
    late = answer_within_days(14) + 2
    messages: list[Message] = [("mentee", day(1)), ("mentor", day(1 + late))]
    assert waiting(messages, as_of=1 + late + 8) == ("mentor", day(1 + late))
    within = [("mentee", day(1)), ("mentor", day(1 + late - 3))]
    assert waiting(within, as_of=1 + late + 8) is None


def test_a_meeting_after_the_message_answers_it():
    messages: list[Message] = [("mentee", day(1))]
    assert waiting(messages, as_of=20, meetings=(day(3),)) is None
    assert waiting(messages, as_of=20) == ("mentee", day(1))
