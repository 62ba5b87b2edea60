"""Final cohorts as they are frozen, and each release's family built from them alone.

Once a quarter's cohort is final, its sums are stored and never recomputed (``insights.frozen``):
re-derived from today's rows, a deleted account, a withdrawn or edited background or an edited
goal update would change a figure already shown, and whoever saved the page before and after
would learn that person's group and answers. A frozen cohort holds, per program and quarter, the
quantities summed over everyone and per attribute people shared, how many people each attribute
adds to the site's count of sharers (for naming groups), and the combinations of attributes
that occur (for the auditor). No user id and no row per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tandem.insights.equity.family import EquityData
from tandem.insights.equity.groups import listed_groups, normalise
from tandem.insights.equity.metrics import QUANTITIES

Sums = dict[str, float]  # quantity -> sum


@dataclass(frozen=True)
class CohortSums:
    """One program's mentees who joined in one quarter, summed as of its cut-off."""

    quarter: int
    program: int
    totals: Sums
    groups: dict[str, Sums]  # normalised attribute -> the sums of those who shared it
    # Normalised attribute -> people who shared it and whose first mentee enrolment on the site
    # is in this cohort: over cohorts these add up to the people who shared it, each once.
    newcomers: dict[str, int]
    combos: tuple[tuple[str, ...], ...]  # the sorted attribute sets that occur, sorted


def _add(into: Sums, values: Mapping[str, float]) -> None:
    for name, value in values.items():
        into[name] = into.get(name, 0.0) + value


def summed(rows: Iterable[Mapping[str, Any]]) -> list[CohortSums]:
    """Cohorts from the database's sums per program, quarter and exact attribute list (keys
    ``program_id``, ``quarter``, ``attributes``, ``newcomers`` and the quantities)."""
    cohorts: dict[tuple[int, int], tuple[Sums, dict[str, Sums], dict[str, int], set[Any]]] = {}
    for row in rows:
        values = {name: float(row[name] or 0) for name in QUANTITIES}
        attributes = sorted({normalise(str(a)) for a in row["attributes"] or [] if str(a).strip()})
        totals, groups, newcomers, combos = cohorts.setdefault(
            (row["quarter"], row["program_id"]), ({}, {}, {}, set())
        )
        _add(totals, values)
        for name in attributes:
            _add(groups.setdefault(name, {}), values)
            newcomers[name] = newcomers.get(name, 0) + int(row["newcomers"] or 0)
        combos.add(tuple(attributes))
    return [
        CohortSums(quarter, program, totals, groups, newcomers, tuple(sorted(combos)))
        for (quarter, program), (totals, groups, newcomers, combos) in sorted(cohorts.items())
    ]


def _vector(sums: Mapping[str, float]) -> np.ndarray:
    """A quantity a cohort was frozen without (added to the rules later) reads as 0."""
    return np.array([float(sums.get(name, 0.0)) for name in QUANTITIES])


def family(cohorts: Iterable[CohortSums], final: int) -> EquityData:
    """The family as released when ``final`` was the latest final quarter: the cohorts up to
    it, and the groups named from their sharers alone, so a release never changes later."""
    kept = sorted((c for c in cohorts if c.quarter <= final), key=lambda c: (c.quarter, c.program))
    sharers: dict[str, int] = {}
    for cohort in kept:
        for name, people in cohort.newcomers.items():
            sharers[name] = sharers.get(name, 0) + people
    names = listed_groups(sharers)
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


def release_families(cohorts: list[CohortSums], final: int) -> list[EquityData]:
    """Every release's family, oldest first, the last one at ``final`` (at least that one)."""
    first = min((c.quarter for c in cohorts), default=final)
    return [family(cohorts, quarter) for quarter in range(first, final + 1)]
