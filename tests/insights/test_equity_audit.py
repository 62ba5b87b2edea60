"""Suppression that survives differencing: random programs, quarters, groups and overlaps; for
every withheld figure, try to recover it from everything published (the linear system over the
atoms, and sums and differences of two or three published cells) and find that it cannot be."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.insights.equity.audit import blocks, recoverable
from tandem.insights.equity.family import SITE
from tandem.insights.equity.metrics import INDEX, METRICS
from tandem.insights.equity.suppression import decide
from tests.insights.equity_atoms import (
    build,
    family_shapes,
    full_space_problems,
    random_atoms,
    random_family,
)

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
shapes = family_shapes((1, 4))


def audited(shape):
    data, membership = random_family(shape)
    return data, decide(data), membership


@SETTINGS
@given(shapes)
def test_no_withheld_figure_is_in_the_span_of_what_is_published(shape):
    """The linear system over every atom (no blocks, no coordinates): a withheld figure is
    recoverable only if the totals alone (published on other pages) already give it."""
    data, decisions, membership = audited(shape)
    for quantity, totals, published, withheld, keys in full_space_problems(
        data, decisions, membership
    ):
        exposed = recoverable(published, withheld)
        from_totals = recoverable(totals, withheld)
        assert not (exposed & ~from_totals).any(), (
            quantity,
            [k for k, e in zip(keys, exposed, strict=True) if e],
        )
        assert {k for k, e in zip(keys, from_totals, strict=True) if e} <= decisions.exposed


def _signed_sums(rows: np.ndarray, count: int) -> np.ndarray:
    """Every sum of ``count`` published rows with signs +1 or -1 (first sign +1)."""
    found = rows
    for _ in range(count - 1):
        found = np.concatenate(
            [found[:, None, :] + rows[None], found[:, None, :] - rows[None]], axis=1
        )
        found = found.reshape(-1, rows.shape[1])
    return found


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    st.tuples(
        st.integers(1, 2),
        st.integers(1, 3),
        st.integers(1, 2),
        st.floats(0.3, 1.0),
        st.integers(0, 2**32 - 1),
    )
)
def test_no_withheld_figure_is_a_sum_or_difference_of_two_or_three_published(shape):
    """Brute force, independent of any linear algebra: the differencing an admin would try."""
    data, decisions, membership = audited(shape)
    for _, totals, published, withheld, keys in full_space_problems(data, decisions, membership):
        if not len(withheld) or not published.shape[1]:
            continue  # nothing withheld, or every atom known to be zero
        rows = np.unique(np.vstack([published, -published]), axis=0)
        known = {tuple(r) for r in totals.astype(int)}
        for count in (1, 2, 3):
            if count == 3 and len(rows) > 60:
                break
            sums = {tuple(r) for r in _signed_sums(rows, count).astype(int)}
            for key, target in zip(keys, withheld.astype(int), strict=True):
                if key in decisions.exposed or not target.any() or tuple(target) in known:
                    continue
                assert tuple(target) not in sums, (key, count)


@SETTINGS
@given(shapes)
def test_the_primary_rule_withholds_every_figure_of_fewer_than_five(shape):
    data, decisions, _ = audited(shape)
    for metric in METRICS:
        n = data.group_cells[..., INDEX[metric.n]]
        rest = data.total_cells[..., INDEX[metric.n]][..., None] - n
        small = (n < 5) | (rest < 5)
        assert decisions.withheld[metric.key][small].all()


def test_a_small_quarter_takes_a_partner_quarter_and_program_not_the_whole_group():
    """One program's group has 3 mentees in one quarter: hiding it needs the ranges that
    separate that quarter from a partner quarter, in that program and in a partner program
    (so that the site's figures, sums over programs, do not give it back): the rectangle
    pattern. Of the 6 ranges of 3 quarters, 3 separate the middle quarter from the first
    ([Q0], [Q1], [Q1-Q2]): 3 cells in each of two programs, not everything."""
    rng = np.random.default_rng(7)
    atoms = np.zeros((3, 3, 2, len(INDEX)))
    atoms[..., INDEX["enrolled"]] = rng.integers(20, 40, size=(3, 3, 2))
    atoms[1, 1, 1, INDEX["enrolled"]] = 3  # program 1, quarter 1, the group's members
    membership = np.array([[False], [True]])
    data = build(atoms, membership)
    withheld = decide(data).withheld["match_rate"]
    assert withheld.sum() == 6
    assert sorted(withheld.sum(axis=(1, 2)).tolist()) == [0, 0, 3, 3]
    primary = data.primary(METRICS[0])
    assert primary.sum() == 1
    assert not withheld[SITE].any()  # the site's figures stay


def test_groups_holding_the_same_people_are_audited_together():
    same = np.array([[True, True], [False, False]])
    assert [b.columns for b in blocks(same)] == [(0,), (1, 2)]
    everyone_or_other = np.array([[True, False], [False, True]])  # each person exactly one
    assert [b.columns for b in blocks(everyone_or_other)] == [(0, 1, 2)]


@SETTINGS
@given(shapes)
def test_an_audit_out_of_budget_publishes_the_totals_only(shape):
    """A budget of nothing: never a partial answer, every group figure withheld, so what is
    published is the totals alone and no withheld figure can be worked out beyond them."""
    data, membership = random_family(shape)
    decisions = decide(data, budget=0.0)
    assert not decisions.complete
    assert all(w.all() for w in decisions.withheld.values())
    for _, totals, published, withheld, _ in full_space_problems(data, decisions, membership):
        assert published.shape == totals.shape and (published == totals).all()
        assert (recoverable(published, withheld) == recoverable(totals, withheld)).all()


def test_a_generous_budget_gives_the_full_audit():
    rng = np.random.default_rng(3)
    atoms, membership = random_atoms(rng, 3, 4, 3, 0.8)
    data = build(atoms, membership)
    full, budgeted = decide(data), decide(data, budget=600.0)
    assert budgeted.complete
    assert all((full.withheld[k] == budgeted.withheld[k]).all() for k in full.withheld)
