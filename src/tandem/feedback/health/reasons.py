"""Every reason the health rules can give, what it means, and what to suggest for it.

The codes are stable: snapshots store them, the guidance library maps them to articles and
nudges are sent once per code and episode. Add codes; never rename one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

UNKNOWN_CODE = "No health reason has the code {code!r}."


@dataclass(frozen=True)
class ReasonCode:
    """One reason: its machine ``code``, a one-line ``meaning``, whether it is a ``concern``
    (lowers the score) or a strength, the ``actions`` suggested to the pair for it, and
    whether it is read ``from_answers``: a side's private check-in answers, so that its points
    must never be shown (see ``docs/health.md``, who sees what)."""

    code: str
    meaning: str
    concern: bool
    actions: tuple[str, ...]
    from_answers: bool = False


REASON_CODES: tuple[ReasonCode, ...] = (
    ReasonCode(
        "missed_periods",
        "Whole cadence periods went by without a meeting.",
        True,
        (
            "Propose three times that suit you both",
            "Book the next meeting before this one ends",
            "Agree a cadence you can keep, and amend the agreement",
        ),
    ),
    ReasonCode(
        "no_contact",
        "No meeting and no message from either side for a long time.",
        True,
        (
            "Send a short message to say hello and ask how things are",
            "Propose three times that suit you both",
        ),
    ),
    ReasonCode(
        "cancellations",
        "Meetings were cancelled, moved or did not take place several times in a row.",
        True,
        (
            "Agree a regular slot that suits you both",
            "Switch to a shorter meeting rather than cancel",
        ),
    ),
    ReasonCode(
        "cancelling_side",
        "One side called off most of the recent meetings.",
        True,
        (
            "Ask whether the timing or the cadence still works",
            "Agree a cadence you can keep, and amend the agreement",
        ),
    ),
    ReasonCode(
        "overdue_items",
        "Several action items fell due lately and are not done.",
        True,
        (
            "Review the open action items together",
            "Drop or re-date the items that no longer matter",
        ),
    ),
    ReasonCode(
        "stuck_goals",
        "The goals have barely moved after several meetings.",
        True,
        (
            "Revisit the goals and split them into smaller steps",
            "Agree one thing to finish before the next meeting",
        ),
    ),
    ReasonCode(
        "low_pulse",
        "A side rated the latest check-in low.",
        True,
        (
            "Ask each other what would make the meetings more useful",
            "Read the guidance on giving and receiving feedback",
        ),
        from_answers=True,
    ),
    ReasonCode(
        "falling_pulse",
        "A side's check-in scores are falling.",
        True,
        (
            "Ask each other what would make the meetings more useful",
            "Revisit what each of you expects from the mentorship",
        ),
        from_answers=True,
    ),
    ReasonCode(
        "pulse_gap",
        "The two sides rate the mentorship very differently.",
        True,
        (
            "Talk about what each of you expects from the mentorship",
            "Revisit the agreement together",
        ),
        from_answers=True,
    ),
    ReasonCode(
        "divergence",
        "The two sides answered a check-in differently and have not yet talked about it.",
        True,
        (
            "Talk about what each of you expects from the mentorship",
            "Revisit the agreement together",
        ),
        from_answers=True,
    ),
    ReasonCode(
        "unsigned_amendment",
        "An agreement amendment waits for the second signature.",
        True,
        ("Read the amendment and sign it or say what to change",),
    ),
    ReasonCode(
        "slow_replies",
        "A side takes days to answer messages.",
        True,
        (
            "Agree how quickly you each expect an answer",
            "Use the meeting for what does not fit in a message",
        ),
    ),
    ReasonCode(
        "one_sided",
        "One side's latest message, not itself an answer, has had no answer for days.",
        True,
        (
            "Answer the latest message, even briefly",
            "Agree how quickly you each expect an answer",
        ),
    ),
    ReasonCode(
        "slower_replies",
        "A side answers much more slowly than in the pair's first weeks.",
        True,
        (
            "Ask whether something has changed for the other side",
            "Agree how quickly you each expect an answer",
        ),
    ),
    ReasonCode(
        "more_cancellations",
        "Meetings are called off or moved much more often than in the pair's first weeks.",
        True,
        (
            "Ask whether the timing or the cadence still works",
            "Agree a cadence you can keep, and amend the agreement",
        ),
    ),
    ReasonCode(
        "below_own_pulse",
        "A side rates the mentorship well below its own first weeks.",
        True,
        (
            "Ask each other what has changed since the start",
            "Revisit what each of you expects from the mentorship",
        ),
        from_answers=True,
    ),
    ReasonCode(
        "long_pause",
        "The pair declared long or repeated pauses in the last year.",
        True,
        (
            "Ask each other whether the mentorship still fits your time",
            "Agree a cadence you can keep, and amend the agreement",
        ),
    ),
    ReasonCode(
        "paused",
        "The pair is on a declared pause (dates only).",
        False,
        ("Agree the first meeting after the pause",),
    ),
    ReasonCode(
        "meets_on_cadence",
        "The pair meets as often as agreed.",
        False,
        ("Keep going; book the next meeting before this one ends",),
    ),
    ReasonCode(
        "quick_replies",
        "Both sides answer messages within a day.",
        False,
        ("Keep going",),
    ),
    ReasonCode(
        "high_pulse",
        "Both sides rated the latest check-in well.",
        False,
        ("Note what works and keep doing it",),
        from_answers=True,
    ),
    ReasonCode(
        "goal_progress",
        "The goals are well under way.",
        False,
        ("Set the next milestone together",),
    ),
)

REASONS: Mapping[str, ReasonCode] = {reason.code: reason for reason in REASON_CODES}


def suggested_actions(code: str) -> tuple[str, ...]:
    """Short plain suggestions for the pair (or an admin) facing the reason ``code``.

    >>> suggested_actions("missed_periods")[0]
    'Propose three times that suit you both'
    """
    try:
        return REASONS[code].actions
    except KeyError:
        raise KeyError(UNKNOWN_CODE.format(code=code)) from None
