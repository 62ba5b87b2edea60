"""What the health signals read of a pair's history, shared by the recent signals and the
pair's own baseline: which side an author is, when the mentorship began, which timeline events
call a meeting off, a pulse's score and the delays of the answers in a conversation."""

from __future__ import annotations

import math
from datetime import datetime

from tandem.feedback.health import Reply, Side
from tandem.mentorships.models import Mentorship

# Timeline events that mean a meeting was called off or moved (mentorships' services).
CANCELLING_EVENTS = {
    "meeting_cancelled": False,
    "series_cancelled": False,
    "meeting_moved": True,
}


def side_of(mentorship: Mentorship, person_id: int | None) -> Side | None:
    if person_id == mentorship.mentor_id:
        return "mentor"
    if person_id == mentorship.mentee_id:
        return "mentee"
    return None


def active_since(mentorship: Mentorship) -> datetime:
    return mentorship.activated_at or mentorship.created_at


def pulse_score(progress: str | None, useful: str | None) -> int | None:
    """One pulse's 1-5 score: the mean of the progress and usefulness answers, rounded half
    up (a pulse missing both scales says nothing)."""
    scores = [int(value) for value in (progress, useful) if value and str(value).isdigit()]
    scores = [score for score in scores if 1 <= score <= 5]
    if not scores:
        return None
    return math.floor(sum(scores) / len(scores) + 0.5)


def replies_of(sides: list[tuple[Side, datetime]]) -> list[Reply]:
    """Each time one side answered the other: hours from the first message left unanswered to
    the answer (``sides`` in time order)."""
    replies: list[Reply] = []
    waiting: tuple[Side, datetime] | None = None
    for side, at in sides:
        if waiting is None:
            waiting = (side, at)
        elif waiting[0] != side:
            hours = (at - waiting[1]).total_seconds() / 3600
            replies.append(Reply(at=at, side=side, hours=hours))
            waiting = (side, at)
    return replies
