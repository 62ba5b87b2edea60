"""Final cohorts as they are frozen, and each release's family built from them alone.

Once a quarter's cohort is final, its sums are stored and never recomputed (``insights.frozen``):
re-derived from today's rows, a deleted account, a withdrawn or edited background or an edited
goal update would change a figure already shown, and whoever saved the page before and after
would learn that person's group and answers. A frozen cohort holds, per program and quarter, the
quantities summed over everyone and per attribute people shared (keyed by the attribute as people
wrote it, lower-cased: such a sum is one person's when they were the only one in that program
and quarter to share it; it is never shown and never leaves the database), and the combinations
of attributes that occur (for the auditor). No user id. Each frozen quarter also keeps the
groups that may be named from its release on (``named``), decided from the distinct people who
shared them when it was frozen; a release names the union of its quarters' lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tandem.insights.equity.family import EquityData
from tandem.insights.equity.groups import normalise
from tandem.insights.equity.metrics import QUANTITIES

Sums = dict[str, float]  # quantity -> sum


@dataclass(frozen=True)
class CohortSums:
    """One program's mentees who joined in one quarter, summed as of its cut-off."""

    quarter: int
    program: int
    totals: Sums
    groups: dict[str, Sums]  # normalised attribute -> the sums of those who shared it
    combos: tuple[tuple[str, ...], ...]  # the sorted attribute sets that occur, sorted


def _add(into: Sums, values: Mapping[str, float]) -> None:
    for name, value in values.items():
        into[name] = into.get(name, 0.0) + value


def summed(rows: Iterable[Mapping[str, Any]]) -> list[CohortSums]:
    """Cohorts from the database's sums per program, quarter and exact attribute list (keys
    ``program_id``, ``quarter``, ``attributes`` and the quantities)."""
    cohorts: dict[tuple[int, int], tuple[Sums, dict[str, Sums], set[Any]]] = {}
    for row in rows:
        values = {name: float(row[name] or 0) for name in QUANTITIES}
        attributes = sorted({normalise(str(a)) for a in row["attributes"] or [] if str(a).strip()})
        totals, groups, combos = cohorts.setdefault(
            (row["quarter"], row["program_id"]), ({}, {}, set())
        )
        _add(totals, values)
        for name in attributes:
            _add(groups.setdefault(name, {}), values)
        combos.add(tuple(attributes))
    return [
        CohortSums(quarter, program, totals, groups, tuple(sorted(combos)))
        for (quarter, program), (totals, groups, combos) in sorted(cohorts.items())
    ]


def _vector(sums: Mapping[str, float]) -> np.ndarray:
    """A quantity a cohort was frozen without (added to the rules later) reads as 0."""
    return np.array([float(sums.get(name, 0.0)) for name in QUANTITIES])


def family(
    cohorts: Iterable[CohortSums], named: Mapping[int, Iterable[str]], final: int
) -> EquityData:
    """The family as released when ``final`` was the latest final quarter: the cohorts up to
    it, and the groups the quarters up to it named when they were frozen (``named``: quarter
    -> groups), so a release never changes later and a named group stays named."""
    kept = sorted((c for c in cohorts if c.quarter <= final), key=lambda c: (c.quarter, c.program))
    names = tuple(sorted({name for q, listed in named.items() if q <= final for name in listed}))
    programs = tuple(sorted({c.program for c in kept}))
    first = min((c.quarter for c in kept), default=0)
    span = max((c.quarter for c in kept), default=-1) - first + 1
    totals = np.zeros((len(programs), span, len(QUANTITIES)))
    groups = np.zeros((len(programs), span, len(names), len(QUANTITIES)))
    combos: set[tuple[bool, ...]] = set()
    for cohort in kept:
        p, t = programs.index(cohort.program), cohort.quarter - first
        totals[p, t] = _vector(cohort.totals)
        for g, name in enumerate(names):
            groups[p, t, g] = _vector(cohort.groups.get(name, {}))
        combos.update(tuple(name in combo for name in names) for combo in cohort.combos)
    membership = np.array(sorted(combos), dtype=bool).reshape(len(combos), len(names))
    return EquityData(programs, first, names, membership, groups, totals, final)


def release_families(
    cohorts: list[CohortSums], named: Mapping[int, Iterable[str]], final: int
) -> list[EquityData]:
    """Every release's family, oldest first, the last one at ``final`` (at least that one)."""
    first = min((c.quarter for c in cohorts), default=final)
    return [family(cohorts, named, quarter) for quarter in range(first, final + 1)]
