"""Every equity cell any page, filter, API call or export can show, as sums over atoms.

An *atom* is the mentees of one program who joined in one quarter and share exactly one
combination of the listed groups. A cell is a scope (one program, or the whole site), a range of
whole quarters and a group: the sum of the atoms inside. Its "everyone else" counterpart is the
scope's total minus the cell, and the totals (a group of everyone) are published on other pages.
The family is every (scope, contiguous range of the data's quarters, group): a filter's open end
or a range past the data covers the same atoms as the clipped range, so it is in the family too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tandem.insights.equity.groups import MIN_GROUP_SIZE
from tandem.insights.equity.metrics import INDEX, Kind, Metric

SITE = 0  # scope index of the whole site; program i is scope i + 1


@dataclass(frozen=True)
class EquityData:
    """The atoms, summed per listed group (and over everyone) for each program and quarter.

    ``groups[p, t, g, k]`` is quantity ``k`` summed over program ``p``'s mentees who joined in
    quarter ``first_quarter + t`` and shared group ``g``; ``totals[p, t, k]`` the same over all of
    them. ``combos`` holds the combinations of listed groups that occur on the site (one row
    each), which is all the auditor needs to know about how groups overlap.
    """

    programs: tuple[int, ...]
    first_quarter: int  # quarter number: year * 4 + quarter - 1
    names: tuple[str, ...]
    combos: np.ndarray  # C x G bool
    groups: np.ndarray  # P x T x G x K
    totals: np.ndarray  # P x T x K
    # The latest quarter whose cohort is final (``cohorts``): the data holds no later quarter,
    # and a filter reaching only past it has nothing to show yet. ``None``: not tracked.
    final: int | None = None

    @property
    def quarters(self) -> int:
        return self.totals.shape[1]

    @property
    def scopes(self) -> int:
        return len(self.programs) + 1

    @cached_property
    def ranges(self) -> np.ndarray:
        """``(first, last)`` quarter index of every contiguous range, in a fixed order."""
        t = self.quarters
        return np.array([(i, j) for i in range(t) for j in range(i, t)], dtype=np.int64).reshape(
            -1, 2
        )

    def range_index(self, first: int | None, last: int | None) -> int | None:
        """The family's range covering quarter numbers ``first``..``last`` (``None``: open), or
        ``None`` when the range holds none of the data's quarters."""
        i = 0 if first is None else max(first - self.first_quarter, 0)
        j = self.quarters - 1 if last is None else min(last - self.first_quarter, self.quarters - 1)
        if i > j:
            return None
        return int(i * self.quarters - i * (i - 1) // 2 + (j - i))

    @cached_property
    def coverage(self) -> np.ndarray:
        """``coverage[s, r]``: the (program, quarter) slices, flattened, that cell (s, r) sums."""
        p, t = len(self.programs), self.quarters
        ranges = self.ranges
        quarters = np.arange(t)
        in_range = (quarters[None, :] >= ranges[:, :1]) & (quarters[None, :] <= ranges[:, 1:])
        scopes = np.vstack([np.ones((1, p), dtype=bool), np.eye(p, dtype=bool)])
        return (scopes[:, None, :, None] & in_range[None, :, None, :]).reshape(
            self.scopes, len(ranges), p * t
        )

    @cached_property
    def group_cells(self) -> np.ndarray:
        """``[s, r, g, k]``: quantity k of group g in scope s over range r."""
        p, t, g, k = self.groups.shape
        flat = self.groups.reshape(p * t, g, k)
        return np.einsum("srx,xgk->srgk", self.coverage.astype(np.float64), flat)

    @cached_property
    def total_cells(self) -> np.ndarray:
        """``[s, r, k]``: quantity k over everyone in scope s and range r."""
        p, t, k = self.totals.shape
        flat = self.totals.reshape(p * t, k)
        return np.einsum("srx,xk->srk", self.coverage.astype(np.float64), flat)

    def primary(self, metric: Metric) -> np.ndarray:
        """``[s, r, g]``: the figure has fewer than ``MIN_GROUP_SIZE`` people, in the group or
        in everyone else (which is the scope's total minus the group, so hiding one hides both);
        or it is a rate that puts all or none of some people in the group (``all_or_none``)."""
        n = self.group_cells[..., INDEX[metric.n]]
        rest = self.total_cells[..., INDEX[metric.n]][..., None] - n
        small = (n < MIN_GROUP_SIZE) | (rest < MIN_GROUP_SIZE)
        return small | self.all_or_none(metric) if metric.kind is Kind.RATE else small

    def all_or_none(self, metric: Metric) -> np.ndarray:
        """``[s, r, g]``: the rate's people with the outcome (or those without it), when there
        are any, are all in the group or all outside it. An admin knows who was matched, ended
        early or was re-matched; "parents: 5 people, matched 100 %" would tell them that each
        mentee left unmatched in those quarters is not a parent, however large the group."""
        n = self.group_cells[..., INDEX[metric.n]]
        yes = self.group_cells[..., INDEX[metric.total]]
        all_n = self.total_cells[..., INDEX[metric.n]][..., None]
        all_yes = self.total_cells[..., INDEX[metric.total]][..., None]
        all_no = all_n - all_yes
        no = n - yes
        return ((all_yes > 0) & ((yes == 0) | (yes == all_yes))) | (
            (all_no > 0) & ((no == 0) | (no == all_no))
        )

    def known_zero(self, quantity: str) -> np.ndarray:
        """The slices whose published total of ``quantity`` is zero: every quantity is
        non-negative, so each atom there is known to be zero."""
        return self.totals[..., INDEX[quantity]].reshape(-1) == 0
