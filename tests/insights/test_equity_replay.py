"""Cohort releases replayed in order (``equity.replay``): no release goes back on an earlier
one (withheld stays withheld, published stays published), so what every release published
together is the last release's published cells, and none of its withheld figures is in their
span beyond what the totals give."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from tandem.insights.equity import replay
from tandem.insights.equity.audit import recoverable
from tandem.insights.equity.metrics import METRICS
from tandem.insights.equity.replay import carried, decide_in_order, truncated
from tests.insights.equity_atoms import family_shapes, full_space_problems, random_family

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
shapes = family_shapes((2, 4))  # quarters: releases


def _data(shape):
    return random_family(shape)


@SETTINGS
@given(shapes)
def test_no_release_goes_back_on_an_earlier_one(shape):
    data, _ = _data(shape)
    releases = [truncated(data, t) for t in range(1, data.quarters + 1)]
    decided = [decide_in_order(part) for part in releases]
    steps = list(zip(releases, decided, strict=True))
    for (old, before), (new, after) in zip(steps, steps[1:], strict=False):
        fixed = carried(before, old, new)
        for metric in METRICS:
            assert not (fixed.withheld[metric.key] & ~after.withheld[metric.key]).any()
            for quantity in metric.shown():
                was = fixed.published[quantity]
                now = np.zeros_like(was)
                for other in METRICS:
                    if quantity in other.shown():
                        now |= ~after.withheld[other.key]
                assert not (was & ~now).any(), (metric.key, quantity)


@SETTINGS
@given(shapes)
def test_the_last_release_withholds_nothing_its_union_with_earlier_ones_gives_back(shape):
    """A withheld figure in the span of what is published is one the totals give, or one an
    earlier release published the same value of (a later quarter known to be empty): it is
    marked exposed, as it tells nothing that is not public already."""
    data, membership = _data(shape)
    decisions = decide_in_order(data)
    for _, totals, published, withheld, keys in full_space_problems(data, decisions, membership):
        exposed = recoverable(published, withheld) & ~recoverable(totals, withheld)
        assert {k for k, e in zip(keys, exposed, strict=True) if e} <= decisions.exposed


class _Dict(dict):
    """A store by the quarters each release covers, as the database's."""

    def get(self, part):
        return super().get((part.first_quarter, part.final))

    def keep(self, part, decisions):
        return self.setdefault((part.first_quarter, part.final), decisions)


def test_a_release_audited_before_is_read_from_the_store(monkeypatch):
    """A release's cohorts are final, so its decisions are kept by the quarters it covers: a
    new quarter costs one audit, and the same data none."""
    data, _ = _data((2, 3, 2, 0.6, 7))
    store = _Dict()
    earlier = decide_in_order(truncated(data, 2), store=store)
    assert len(store) == 2
    audited = []
    real = replay.decide
    monkeypatch.setattr(replay, "decide", lambda *a: audited.append(a) or real(*a))
    decisions = decide_in_order(data, store=store)
    assert len(audited) == 1 and len(store) == 3  # only the new quarter's release
    decide_in_order(data, store=store)
    assert len(audited) == 1  # nothing new: every release from the store
    fresh = decide_in_order(data)
    for metric in METRICS:
        assert (decisions.withheld[metric.key] == fresh.withheld[metric.key]).all()
    assert earlier.complete
