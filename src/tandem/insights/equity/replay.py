"""Suppression decisions that never go back on an earlier cohort release.

Each final quarter was a release: the family grew by one quarter. Audited afresh, a bigger
family may publish a cell an earlier release withheld (or withhold one it published), and
someone who kept the earlier page would hold both. So the releases are replayed in order, each
audited with the earlier one's decisions fixed (``suppression.Fixed``): what was withheld stays
withheld, what was published stays published and is treated like a total. The union of every
release is then the last release's published cells, which its audit has checked.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from tandem.insights.equity.family import SITE, EquityData
from tandem.insights.equity.metrics import METRICS, QUANTITIES
from tandem.insights.equity.suppression import Decisions, Fixed, decide, withhold_every_group


class Store(Protocol):
    """Where each release's complete decisions are kept (the database: ``insights.frozen``)."""

    def get(self, part: EquityData) -> Decisions | None: ...

    def keep(self, part: EquityData, decisions: Decisions) -> Decisions:
        """Keep ``decisions`` for the release ``part``; returns what is kept (another process
        may have kept its own first)."""
        ...


def truncated(data: EquityData, quarters: int) -> EquityData:
    """The family as released when its first ``quarters`` quarters were final."""
    return replace(
        data,
        groups=data.groups[:, :quarters],
        totals=data.totals[:, :quarters],
        final=data.first_quarter + quarters - 1,
    )


def carried(before: Decisions, old: EquityData, new: EquityData) -> Fixed:
    """The earlier release's decisions in the bigger family's indices: its ranges, and its
    programs and groups (a later release may add programs and name more groups, never fewer)."""
    first = old.first_quarter
    where = [new.range_index(first + int(i), first + int(j)) for i, j in old.ranges]
    scopes = [SITE] + [new.programs.index(p) + 1 for p in old.programs]
    groups = [new.names.index(name) for name in old.names]
    at = np.ix_(np.array(scopes), np.array(where, dtype=np.int64), np.array(groups, dtype=np.int64))
    shape = (new.scopes, len(new.ranges), len(new.names))
    withheld = {key: np.zeros(shape, dtype=bool) for key in before.withheld}
    published = {q: np.zeros(shape, dtype=bool) for q in QUANTITIES}
    for metric in METRICS:
        mask = before.withheld[metric.key]
        withheld[metric.key][at] = mask
        for quantity in metric.shown():
            published[quantity][at] |= ~mask
    return Fixed(withheld, published)


def decide_in_order(
    data: EquityData,
    budget: float | None = None,
    store: Store | None = None,
    releases: Sequence[EquityData] | None = None,
) -> Decisions:
    """Every release's audit in order, each keeping the earlier one's decisions; within
    ``budget`` seconds for all of them, else the safe answer (every group figure withheld).
    ``releases``: the family as each release saw it, oldest first, ending with ``data``
    (default: ``data`` truncated, its programs and groups throughout). With a ``store``, the
    replay starts after the latest release it holds: usually only the newest release is
    audited (its first time), not every one again, and only a complete decision is kept."""
    deadline = None if budget is None else time.monotonic() + budget
    if releases is None:
        releases = [truncated(data, quarters) for quarters in range(1, data.quarters + 1)]
    releases = [part for part in releases if part.quarters]  # none final yet: nothing to decide
    start, decisions = _latest_kept(releases, store)
    previous = releases[start - 1] if start else data
    for part in releases[start:]:  # none of them kept yet
        fixed = None if decisions is None else carried(decisions, previous, part)
        left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        found = decide(part, left, fixed)
        if not found.complete:
            return withhold_every_group(data)
        if store is not None:  # another process may have kept its own first: go on from it
            found = store.keep(part, found)
        decisions = found
        previous = part
    return decide(data, budget) if decisions is None else decisions


def _latest_kept(
    releases: Sequence[EquityData], store: Store | None
) -> tuple[int, Decisions | None]:
    """Where the replay starts: after the latest release the store holds (the ones before it
    no longer matter), with its decisions; at the first release if it holds none."""
    if store is None:
        return 0, None
    for index in reversed(range(len(releases))):
        found = store.get(releases[index])
        if found is not None:
            return index + 1, found
    return 0, None
