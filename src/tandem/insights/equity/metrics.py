"""The seven equity figures, each a cell of linear quantities summed over mentee enrolments.

Every person contributes to a handful of *quantities* (enrolled, matched, weeks to match and its
square, ...). A figure is a cell ``(n, sum, sum of squares)`` of three of them (a rate's sum of
squares is its sum), so a figure for any set of people is the sum of the figures of its parts:
this is what lets the suppression auditor reason about differences exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from tandem.insights.equity.cohorts import FOLLOW_QUARTERS

# A wait is counted up to its cohort's cut-off: at most 1 + FOLLOW_QUARTERS quarters of at most
# 92 days after joining, under 40 weeks.
MAX_WAIT_WEEKS = float(math.ceil((1 + FOLLOW_QUARTERS) * 92 / 7))

QUANTITIES: tuple[str, ...] = (
    "enrolled",  # 1 for every mentee enrolment
    "matched",  # has had a mentorship in the program
    "weeks",  # weeks from joining to the first mentorship (matched only)
    "weeks_sq",
    "scored",  # the first pairing came from a match run with a score
    "score",
    "score_sq",
    "answered",  # answered the satisfaction question of a closing survey
    "satisfaction",  # their latest answer, 1 to 5
    "satisfaction_sq",
    "ended_early",  # had a mentorship end early (matched only)
    "rematched",  # had two or more mentorships (matched only)
    "with_goals",  # had at least one goal
    "goal_share",  # the share of their goals achieved
    "goal_share_sq",
)
INDEX = {name: k for k, name in enumerate(QUANTITIES)}


class Kind(StrEnum):
    RATE = "rate"  # a share of people: Wilson and Newcombe intervals
    MEAN = "mean"  # a mean value: a t interval from everyone's spread, widened by the noise


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    kind: Kind
    n: str  # the quantity counting the people behind the figure
    total: str
    squares: str
    counted: str  # who is counted, in words (the table's summary)
    unit: str  # the difference's unit in statements
    up: str  # "Mentees who shared X {up}" when the group's figure is higher; {x}: the size
    down: str
    scale: float = 1.0  # a difference times this is in ``unit``
    decimals: int = 1  # in sentences: two for scores from 0 to 1, where one would read 0.0
    # The range every person's value lies in, which bounds what one person changes the group's
    # sum by (``equity.noise``); ``None``: the figure is released exact (only rounded).
    bounds: tuple[float, float] | None = None

    @property
    def protects_n(self) -> bool:
        """Whether withholding this figure must hide its ``n``. The number matched is not hidden
        with the time to match: it is the match rate's published numerator, and hiding it would
        hide the rate, the report's main finding, whenever few were matched."""
        return self.n != "matched"

    def protected(self) -> tuple[str, ...]:
        """The quantities a withheld figure keeps hidden."""
        return ((self.n,) if self.protects_n else ()) + tuple(
            dict.fromkeys((self.total, self.squares))
        )

    def shown(self) -> tuple[str, ...]:
        """The quantities a published figure shows."""
        return tuple(dict.fromkeys((self.n, self.total, self.squares)))


_PP = "percentage points"
METRICS: tuple[Metric, ...] = (
    Metric(
        "match_rate", "Match rate", Kind.RATE, "enrolled", "matched", "matched",
        "Mentees who joined in these quarters; matched: had a mentorship in the program.",
        _PP, "were matched {x} more often than everyone else",
        "were matched {x} less often than everyone else", 100.0,
    ),
    Metric(
        "time_to_match", "Time to match", Kind.MEAN, "matched", "weeks", "weeks_sq",
        "Matched mentees; weeks from joining to their first mentorship.",
        "weeks", "waited {x} longer to be matched", "waited {x} less to be matched",
        bounds=(0.0, MAX_WAIT_WEEKS),
    ),
    Metric(
        "match_quality", "Match quality", Kind.MEAN, "scored", "score", "score_sq",
        "Mentees paired by a published match run; the score of their pair in the first such "
        "run (0 to 1).",
        "points of score", "had match scores {x} higher than everyone else",
        "had match scores {x} lower than everyone else", decimals=2, bounds=(0.0, 1.0),
    ),
    Metric(
        "satisfaction", "Satisfaction", Kind.MEAN, "answered", "satisfaction", "satisfaction_sq",
        "Mentees who answered a closing survey; their latest answer to how satisfied they are "
        "(1 to 5).",
        "points on the 1 to 5 scale", "rated their mentorship {x} higher than everyone else",
        "rated their mentorship {x} lower than everyone else", bounds=(1.0, 5.0),
    ),
    Metric(
        "early_endings", "Early endings", Kind.RATE, "matched", "ended_early", "ended_early",
        "Matched mentees; those who had a mentorship end early.",
        _PP, "had a mentorship end early {x} more often than everyone else",
        "had a mentorship end early {x} less often than everyone else", 100.0,
        bounds=(0.0, 1.0),
    ),
    Metric(
        "rematches", "Re-matches", Kind.RATE, "matched", "rematched", "rematched",
        "Matched mentees; those who had two or more mentorships in the program.",
        _PP, "were re-matched {x} more often than everyone else",
        "were re-matched {x} less often than everyone else", 100.0, bounds=(0.0, 1.0),
    ),
    Metric(
        "goal_completion", "Goal completion", Kind.MEAN, "with_goals", "goal_share",
        "goal_share_sq",
        "Mentees with at least one goal; the share of their goals marked achieved.",
        _PP, "achieved {x} more of their goals than everyone else",
        "achieved {x} fewer of their goals than everyone else", 100.0, bounds=(0.0, 1.0),
    ),
)  # fmt: skip
