"""Suppression decisions that never go back on an earlier cohort release.

Each final quarter was a release: the family grew by one quarter. Audited afresh, a bigger
family may publish a cell an earlier release withheld (or withhold one it published), and
someone who kept the earlier page would hold both. So the releases are replayed in order, each
audited with the earlier one's decisions fixed (``suppression.Fixed``): what was withheld stays
withheld, what was published stays published and is treated like a total. The union of every
release is then the last release's published cells, which its audit has checked.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from typing import Protocol

import numpy as np

from tandem.insights.equity.family import EquityData
from tandem.insights.equity.metrics import METRICS, QUANTITIES
from tandem.insights.equity.suppression import Decisions, Fixed, decide, withhold_every_group


class Store(Protocol):
    """Where each release's decisions are kept between audits (the Django cache)."""

    def get(self, key: str) -> Decisions | None: ...

    def set(self, key: str, decisions: Decisions) -> None: ...


def fingerprint(data: EquityData) -> str:
    """Changes whenever anything the audit of this family reads changes. A release's cohorts
    are final, so its fingerprint, and so its decisions, stay the same release after release."""
    digest = hashlib.sha256(repr((data.programs, data.first_quarter, data.names)).encode())
    for array in (data.combos, data.groups, data.totals):
        digest.update(repr(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def truncated(data: EquityData, quarters: int) -> EquityData:
    """The family as released when its first ``quarters`` quarters were final."""
    return replace(
        data,
        groups=data.groups[:, :quarters],
        totals=data.totals[:, :quarters],
        final=data.first_quarter + quarters - 1,
    )


def carried(before: Decisions, old: EquityData, new: EquityData) -> Fixed:
    """The earlier release's decisions in the bigger family's range indices."""
    first = new.first_quarter
    where = [new.range_index(first + int(i), first + int(j)) for i, j in old.ranges]
    index = np.array(where, dtype=np.int64)
    shape = (new.scopes, len(new.ranges), len(new.names))
    withheld = {key: np.zeros(shape, dtype=bool) for key in before.withheld}
    published = {q: np.zeros(shape, dtype=bool) for q in QUANTITIES}
    for metric in METRICS:
        mask = before.withheld[metric.key]
        withheld[metric.key][:, index] = mask
        for quantity in metric.shown():
            published[quantity][:, index] |= ~mask
    return Fixed(withheld, published)


def decide_in_order(
    data: EquityData, budget: float | None = None, store: Store | None = None
) -> Decisions:
    """Every release's audit in order, each keeping the earlier one's decisions; within
    ``budget`` seconds for all of them, else the safe answer (every group figure withheld).
    With a ``store``, a release audited before is read from it: usually only the newest
    release is audited (its first time), not every one again."""
    deadline = None if budget is None else time.monotonic() + budget
    decisions: Decisions | None = None
    previous = data
    for quarters in range(1, data.quarters + 1):
        part = truncated(data, quarters)
        key = fingerprint(part)
        found = None if store is None else store.get(key)
        if found is None:
            fixed = None if decisions is None else carried(decisions, previous, part)
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            found = decide(part, left, fixed)
            if not found.complete:
                return withhold_every_group(data)
            if store is not None:
                store.set(key, found)
        decisions = found
        previous = part
    return decide(data, budget) if decisions is None else decisions
