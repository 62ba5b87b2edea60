"""Final cohorts: which quarters' mentees the equity figures count, and as of when.

Figures computed live would let anyone who looks before and after one person joins (or is
matched, or answers) see that person's contribution in every cell that changed. So a *cohort*
(the mentees who joined a program in one quarter) is measured as of a fixed cut-off, and shown
only once nothing before that cut-off can still change: from then on its cells never change
(see "What is not protected" in ``docs/insights/equity.md`` for what still can).

Quarters are numbered ``year * 4 + quarter - 1``, as in ``family.EquityData``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tandem.core.templatetags.readable_dates import day_in

FOLLOW_QUARTERS = 2
"""Whole quarters a cohort is followed after the quarter it joined: 6 to 9 months, long enough
for most mentees to be matched, a first match run to be published and goals to move, short
enough that a cohort is shown within a year. Measured later, a cohort would keep changing
(every late match, answer or goal update would show)."""
FOLLOW_WORDS = "two full quarters"


def quarter_of(moment: datetime) -> int:
    moment = moment.astimezone(UTC)
    return moment.year * 4 + (moment.month - 1) // 3


def quarter_start(quarter: int) -> datetime:
    return datetime(quarter // 4, 3 * (quarter % 4) + 1, 1, tzinfo=UTC)


def quarter_name(quarter: int) -> str:
    return f"Q{quarter % 4 + 1} {quarter // 4}"


def cutoff(quarter: int) -> datetime:
    """The moment a cohort is measured as of: the end of its quarter plus ``FOLLOW_QUARTERS``."""
    return quarter_start(quarter + 1 + FOLLOW_QUARTERS)


def release(quarter: int, settle: timedelta) -> datetime:
    """When a cohort is first shown: its cut-off plus ``settle`` (the time an answer given
    before the cut-off may still be edited), after which nothing it counts can change."""
    return cutoff(quarter) + settle


def last_final(now: datetime, settle: timedelta) -> int:
    """The latest quarter whose cohort is final at ``now`` (every earlier one is too)."""
    return quarter_of(now - settle) - 1 - FOLLOW_QUARTERS


def date_words(moment: datetime) -> str:
    return day_in(moment, UTC)  # quarters start at midnight UTC


def shown_words(final: int, settle: timedelta) -> str:
    """Which cohorts the figures cover and when the next one is added, in plain words."""
    return (
        f"Mentees who joined up to {quarter_name(final)}, each followed for {FOLLOW_WORDS} after "
        f"the quarter they joined; those who joined in {quarter_name(final + 1)} are added on "
        f"{date_words(release(final + 1, settle))}. Each figure is measured as of the end of "
        "that follow-up, so it does not change afterwards."
    )


def waiting_words(first: int, settle: timedelta) -> str:
    """Why nothing is shown yet, and when the first cohort (quarter ``first``) is."""
    return (
        "No mentees have been followed long enough to be shown yet: the mentees who joined in "
        f"one quarter are shown once followed for {FOLLOW_WORDS} after it, so that no figure "
        f"changes afterwards. Those who joined in {quarter_name(first)} are added on "
        f"{date_words(release(first, settle))}."
    )
