"""Yearly releases of the figures made of private answers (satisfaction, goal completion).

Those figures are shown for all quarters together only (``selectors/equity.py``). Even so, with
final cohorts the all-quarters figure would change whenever a new cohort became final, and that
change is one quarter's answers, perhaps one person's. So they move only in *releases*: the
release of year Y (shown from 1 January Y plus the edit window) covers the cohorts whose
cut-off is by 1 January Y, the mentees who joined up to Q2 of Y - 1; between releases it does
not change.

At each release a group's figure in a scope is shown only if, since the last release at which it
was shown, at least ``MIN_GROUP_SIZE`` answers were added in the group *and* in everyone else
(or none on either side: the figure is then the one shown before), the scope's added answers are
0 or at least ``MIN_GROUP_SIZE``, and, for the site, what the site added minus what every shown
program added is 0 or at least ``MIN_GROUP_SIZE``. So two shown releases of one figure differ by
the answers of at least 5 people on each side, never one person's. The releases are replayed
from the data every time (no stored state), so every process decides the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from tandem.insights.equity.cohorts import date_words, quarter_name, quarter_start
from tandem.insights.equity.family import SITE, EquityData
from tandem.insights.equity.groups import MIN_GROUP_SIZE
from tandem.insights.equity.metrics import INDEX, Metric


def covered(year: int) -> int:
    """The last quarter the release of ``year`` covers: Q2 of the year before, the last cohort
    whose cut-off is by 1 January ``year``."""
    return (year - 1) * 4 + 1


def release_year(now: datetime, settle: timedelta) -> int:
    """The year of the latest release at ``now`` (shown from 1 January plus ``settle``)."""
    return now.year if now >= quarter_start(now.year * 4) + settle else now.year - 1


@dataclass(frozen=True)
class Release:
    year: int
    range: int | None  # the family's range the release covers (None: no final cohort yet)
    shown: np.ndarray  # [scope, group] bool


def _enough(added: np.ndarray) -> np.ndarray:
    return (added == 0) | (added >= MIN_GROUP_SIZE)


def replay(data: EquityData, metric: Metric, withheld: np.ndarray, year: int) -> Release:
    """Every release up to ``year`` in order, each deciding from what the earlier ones showed;
    ``withheld[s, r, g]`` is the audit's decision (a figure it withholds is never shown)."""
    k = INDEX[metric.n]
    scopes, groups = data.scopes, len(data.names)
    last_group = np.zeros((scopes, groups))  # answers at the last release the figure was shown
    last_rest = np.zeros((scopes, groups))
    last_total = np.zeros(scopes)  # answers at the last release the scope was shown
    site_base = np.zeros(scopes - 1)  # each program's answers when the site was last shown
    ever = np.zeros((scopes, groups), dtype=bool)
    shown = np.zeros((scopes, groups), dtype=bool)
    where = None
    first = data.first_quarter // 4
    for y in range(first + 1, year + 1):
        where = data.range_index(None, covered(y))
        if where is None:
            continue
        group = data.group_cells[:, where, :, k]
        total = data.total_cells[:, where, k]
        rest = total[:, None] - group
        scope_ok = _enough(total - last_total)
        moved = (total[1:] - site_base)[scope_ok[1:]].sum()
        scope_ok[SITE] &= bool(_enough(np.array(total[SITE] - last_total[SITE] - moved)))
        added, added_rest = group - last_group, rest - last_rest
        same = (added == 0) & (added_rest == 0) & ever
        fresh = (added >= MIN_GROUP_SIZE) & (added_rest >= MIN_GROUP_SIZE)
        shown = (same | fresh) & scope_ok[:, None] & ~withheld[:, where, :]
        last_group[shown], last_rest[shown] = group[shown], rest[shown]
        ever |= shown
        last_total[scope_ok] = total[scope_ok]
        if scope_ok[SITE]:
            site_base = total[1:].copy()
    return Release(year, where, shown)


def release_words(year: int, settle: timedelta) -> str:
    """What a release covers and when the next one is, in plain words."""
    following = date_words(quarter_start((year + 1) * 4) + settle)
    return (
        "Updated once a year, as these figures come from answers only their authors (or the "
        f"pair) may read: they cover the mentees who joined up to {quarter_name(covered(year))}"
        f", and the next update is on {following}. A group's figure is shown only when at least "
        f"{MIN_GROUP_SIZE} more people in it, and {MIN_GROUP_SIZE} more of everyone else, have "
        "answered since it was last shown, so no update tells one person's answer."
    )


def waiting_words(year: int, settle: timedelta) -> str:
    following = date_words(quarter_start((year + 1) * 4) + settle)
    return (
        "Updated once a year, as these figures come from answers only their authors (or the "
        f"pair) may read; the first update that includes these mentees is on {following}."
    )
