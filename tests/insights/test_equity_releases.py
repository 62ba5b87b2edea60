"""The yearly releases of the private-answers figures (``equity.releases``): two shown releases
of a figure differ by at least 5 answers in the group and 5 in everyone else (or by none), a
scope's answers between releases that show it differ by 0 or at least 5, and a release never
changes when later cohorts become final."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from tandem.insights.equity.family import SITE
from tandem.insights.equity.groups import MIN_GROUP_SIZE
from tandem.insights.equity.metrics import INDEX, METRICS, QUANTITIES
from tandem.insights.equity.releases import covered, replay
from tests.insights.equity_atoms import build, family_shapes, random_family

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
PRIVATE = [m for m in METRICS if m.key in ("satisfaction", "goal_completion")]
FIRST_YEAR = 2025  # ``build`` starts the data in 2025Q1
shapes = family_shapes((4, 16))  # one to four years of quarters


def _data(shape):
    return random_family(shape)[0]


def _history(data, metric):
    """Every year's release: (year, range, shown, group answers, everyone's answers)."""
    k, none = (
        INDEX[metric.n],
        np.zeros((data.scopes, data.quarters * (data.quarters + 1) // 2, len(data.names)), bool),
    )
    years = range(FIRST_YEAR + 1, FIRST_YEAR + 2 + data.quarters // 4)
    for year in years:
        release = replay(data, metric, none, year)
        if release.range is not None:
            yield (
                year,
                release.shown,
                data.group_cells[:, release.range, :, k],
                data.total_cells[:, release.range, k],
            )


@SETTINGS
@given(shapes)
def test_two_shown_releases_of_a_figure_differ_by_five_answers_on_each_side_or_none(shape):
    data = _data(shape)
    for metric in PRIVATE:
        last: dict[tuple[int, int], tuple[float, float]] = {}
        scope_last: dict[int, float] = {}
        for _, shown, group, total in _history(data, metric):
            for s, g in zip(*np.nonzero(shown), strict=True):
                now = (group[s, g], total[s] - group[s, g])
                before = last.get((s, g), (0.0, 0.0))
                added = (now[0] - before[0], now[1] - before[1])
                assert added == (0, 0) or min(added) >= MIN_GROUP_SIZE, (metric.key, s, g)
                last[(s, g)] = now
            for s in {int(s) for s in np.nonzero(shown)[0]}:
                added_total = total[s] - scope_last.get(s, 0.0)
                assert added_total == 0 or added_total >= MIN_GROUP_SIZE
                scope_last[s] = total[s]


@SETTINGS
@given(shapes)
def test_a_release_does_not_change_when_later_cohorts_become_final(shape):
    data = _data(shape)
    withheld = np.zeros((data.scopes, len(data.ranges), len(data.names)), bool)
    year = FIRST_YEAR + 1
    last = covered(year) - data.first_quarter
    if last >= data.quarters - 1:
        return
    early = type(data)(
        data.programs, data.first_quarter, data.names, data.combos,
        data.groups[:, : last + 1], data.totals[:, : last + 1],
    )  # fmt: skip
    cut = np.zeros((early.scopes, len(early.ranges), len(early.names)), bool)
    for metric in PRIVATE:
        k = INDEX[metric.n]
        now, then = replay(data, metric, withheld, year), replay(early, metric, cut, year)
        assert (now.shown == then.shown).all()
        assert (
            data.group_cells[:, now.range, :, k] == early.group_cells[:, then.range, :, k]
        ).all()


def test_a_group_is_shown_again_only_once_five_more_answered():
    """One program, one group, everyone else: answers per year of cohorts (group, others)."""
    metric = next(m for m in PRIVATE if m.key == "satisfaction")
    per_year = [(4, 6), (5, 6), (2, 6), (5, 6), (0, 0)]
    quarters = 4 * len(per_year)
    atoms = np.zeros((1, quarters, 2, len(QUANTITIES)))
    for y, (group, others) in enumerate(per_year):
        t = 4 * y  # the year's Q1 cohort: in that year's own release a year later
        atoms[0, t, 1, [INDEX["enrolled"], INDEX["answered"]]] = group
        atoms[0, t, 0, [INDEX["enrolled"], INDEX["answered"]]] = others
    data = build(atoms, np.array([[False], [True]]))
    none = np.zeros((data.scopes, len(data.ranges), 1), bool)
    shown = [bool(replay(data, metric, none, FIRST_YEAR + 1 + y).shown[1, 0]) for y in range(5)]
    # 4 answers: too few; 9 since nothing was shown: shown; 2 more: not;
    # 2 + 5 = 7 more since last shown: shown; nothing added since: the same figure, shown.
    assert shown == [False, True, False, True, True]
    assert replay(data, metric, none, FIRST_YEAR + 3).shown[SITE, 0] == shown[2]
