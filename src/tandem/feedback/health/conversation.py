"""Which message, if any, waits for an answer: the "no answer" signal (``one_sided``).

Read from senders and times only (never a body), as the signals carry them: each side's latest
message and the answers (:class:`~tandem.feedback.health.signals.Reply`), each the first
message one side sent after the other's. The rule a person would call "left without an
answer":

- Only the conversation's latest message can wait: the other side has not written since.
- A meeting after it answers it (they talked).
- An answer does not itself wait. The latest message is an answer when the run of messages
  it ends began with an answer sent within :func:`answer_within_days` of the other side's
  latest message, and it came on the heels of that answer (within :data:`SAME_SITTING`).
  A conversation that simply ended (A asks, B answers, nothing more) leaves nothing waiting.
- A message sent long after the other side's (a new start), or a day or more after one's
  own answer (a new question), waits like any first message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.feedback.health.assessment import Facts
from tandem.feedback.health.signals import SIDES, Side, to_utc

ANSWER_WITHIN_DAYS = 14  # at least; a whole cadence period for slower pairs
SAME_SITTING = timedelta(days=1)


def answer_within_days(period: int) -> float:
    """How soon after the other side's message a message still answers it: two weeks, or one
    cadence period for pairs that meet less often."""
    return float(max(ANSWER_WITHIN_DAYS, period))


def _is_answer(facts: Facts, side: Side, theirs: datetime, mine: datetime) -> bool:
    answers = [
        to_utc(reply.at)
        for reply in facts.signals.replies
        if reply.side == side and theirs < to_utc(reply.at) <= mine
    ]
    if not answers:
        return False
    first = min(answers)
    window = timedelta(days=answer_within_days(facts.period))
    return first - theirs <= window and mine - first < SAME_SITTING


def waiting_message(facts: Facts) -> tuple[Side, datetime] | None:
    """The side whose latest message waits for an answer, and when it was sent (UTC)."""
    last = {
        side: to_utc(moment)
        for side, moment in facts.signals.last_message_at.items()
        if to_utc(moment) <= facts.now
    }
    for side in SIDES:
        other: Side = "mentee" if side == "mentor" else "mentor"
        if side not in last or (other in last and last[other] >= last[side]):
            continue  # the other side wrote since (or at the same instant)
        if facts.last_meeting is not None and facts.last_meeting >= last[side]:
            continue
        if other in last and _is_answer(facts, side, last[other], last[side]):
            continue
        return side, last[side]
    return None


__all__ = ["answer_within_days", "waiting_message"]
