"""The privacy review's subset search against the equity section, on a small program.

Twenty mentees joined on Mon 6 Jan 2025 and were all matched, after distinct numbers of days
(``DAYS``); five of them ("parent") shared a group. An admin can read every mentee's join time
and first mentorship, so knows every wait. With the exact mean (4 decimals) and the Welch
interval, trying every 5 of the 20 found one subset: the five parents. Released with noise,
many subsets fit the published figure, and each mentee is in some and out of others.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import math
from datetime import timedelta

import numpy as np
import pytest
import scipy as sp
from django.core.cache import cache
from django.urls import reverse

from tandem.insights.equity.family import SITE, EquityData
from tandem.insights.equity.intervals import Moments
from tandem.insights.equity.metrics import INDEX, METRICS, QUANTITIES
from tandem.insights.equity.noise import EPSILON, laplace, release
from tandem.insights.scope import scope_of
from tandem.insights.selectors.equity import NOISE_NOTE, _compare, equity_section
from tandem.mentorships.models import Mentorship
from tests.insights.equity_clock import clock
from tests.insights.test_equity_section import JOINED, WRITTEN, mentee
from tests.mentorships.factories import mentorship
from tests.programs.factories import ProgramFactory, admin_of

pytestmark = pytest.mark.django_db
DAYS = [3, 5, 8, 13, 17, 22, 27, 31, 40, 45, 52, 58, 61, 69, 75, 80, 88, 95, 101, 110]
PARENTS = (2, 6, 9, 13, 17)
TIME = next(m for m in METRICS if m.key == "time_to_match")


@pytest.fixture
def program():
    cache.clear()
    with clock(WRITTEN):
        made = ProgramFactory()
        for k, days in enumerate(DAYS):
            person = mentee(made, ["parent"] if k in PARENTS else ["other"])
            pair = mentorship(program=made, mentee=person)
            Mentorship.objects.filter(pk=pair.pk).update(created_at=JOINED + timedelta(days=days))
    return made


def published(program):
    (table,) = [t for t in equity_section(scope_of((program.pk,))) if t.key == "time_to_match"]
    (row,) = [r for r in table.rows if r["group"] == "parent"]
    return table, row


def exact_matches(row):
    """The review's search: subsets whose mean rounds to the published value and whose Welch
    interval rounds to the published one (its precision read from the published numbers)."""
    weeks = np.array(DAYS) / 7.0
    n = row["people"]
    found = []
    for subset in itertools.combinations(range(len(DAYS)), n):
        group = weeks[list(subset)]
        if abs(group.mean() - row["value"]) > 5e-5 + 1e-9:
            continue
        rest = np.delete(weeks, subset)
        a, b = group.var(ddof=1) / n, rest.var(ddof=1) / len(rest)
        df = (a + b) ** 2 / (a * a / (n - 1) + b * b / (len(rest) - 1))
        half = float(sp.stats.t.ppf(0.975, df)) * math.sqrt(a + b)
        d = group.mean() - rest.mean()
        if abs(d - half - row["low"]) <= 1.1e-4 and abs(d + half - row["high"]) <= 1.1e-4:
            found.append(subset)
    return found


def test_the_subset_search_no_longer_names_the_group(program):
    table, row = published(program)
    assert row["people"] == 5
    assert exact_matches(row) == []  # before the noise: exactly one, the five parents
    # Knowing the noise's law: the subsets whose sum lies within the central 95 % of the
    # Laplace noise (scale: the 40-week range over epsilon) of the published sum, rounding
    # included.
    low, high = TIME.bounds
    scale = (high - low) / EPSILON
    reach = scale * math.log(1 / 0.05) + 0.05 * row["people"]
    weeks = np.array(DAYS) / 7.0
    fitting = [
        subset
        for subset in itertools.combinations(range(len(DAYS)), 5)
        if abs(weeks[list(subset)].sum() - row["value"] * 5) <= reach
    ]
    assert len(fitting) > 1000
    counts = np.bincount(np.concatenate(fitting), minlength=len(DAYS))
    assert (counts > 0).all() and (counts < len(fitting)).all()  # nobody in all, nor in none
    assert row["value"] == round(row["value"], 1)  # weeks, as the page shows them
    assert row["low"] == round(row["low"], 1) and row["high"] == round(row["high"], 1)


def test_rereading_gives_the_same_numbers_in_the_page_the_api_and_the_csv(client, program):
    _, first = published(program)
    cache.clear()  # a fresh computation: the same draw
    assert published(program)[1] == first
    empty = ProgramFactory()  # the site then holds the same people: the same draw, not another
    site = equity_section(scope_of((program.pk, empty.pk)))
    (table,) = [t for t in site if t.key == "time_to_match"]
    assert [r for r in table.rows if r["group"] == "parent"] == [first]
    client.force_login(admin_of(program))
    api = client.get(f"/api/programs/{program.slug}/insights/equity").json()
    (table,) = [t for t in api["tables"] if t["key"] == "time_to_match"]
    (row,) = [r for r in table["rows"] if r["group"] == "parent"]
    keys = ("people", "value", "rest_people", "rest_value", "difference", "low", "high")
    assert {k: row[k] for k in keys} == {k: first[k] for k in keys}
    url = reverse("insights_program_csv", args=[program.slug, "equity", "time_to_match"])
    text = client.get(url).content.decode().lstrip("\ufeff")
    (line,) = [r for r in csv.DictReader(io.StringIO(text)) if r["Shared group"] == "parent"]
    assert float(line["Time to match"]) == first["value"]
    assert float(line["95 % interval from"]) == first["low"]
    page = client.get(reverse("insights_program_section", args=[program.slug, "equity"]))
    shown = f"{first['value']:,.1f} wk".replace("-", "−")
    assert shown in page.content.decode()


def test_the_same_people_read_through_other_ranges_or_the_site_share_one_draw():
    """Program 1's five parents all joined in the first quarter, with everyone else; more
    mentees (none matched) joined program 1 in the second quarter and program 2 in the first.
    The ranges and the scopes differ, the parents' sum does not: each view gives the same
    noisy figure, so reading them all averages nothing away (a draw per view would)."""
    k = len(QUANTITIES)
    groups, totals = np.zeros((2, 2, 1, k)), np.zeros((2, 2, k))
    weeks = np.array(DAYS) / 7.0
    parents = weeks[list(PARENTS)]
    for name, parent, every in (
        ("enrolled", 5, 20),
        ("matched", 5, 20),
        ("weeks", parents.sum(), weeks.sum()),
        ("weeks_sq", (parents**2).sum(), (weeks**2).sum()),
    ):
        groups[0, 0, 0, INDEX[name]], totals[0, 0, INDEX[name]] = parent, every
    totals[0, 1, INDEX["enrolled"]] = totals[1, 0, INDEX["enrolled"]] = 5
    data = EquityData((1, 2), 8100, ("parent",), np.array([[True]]), groups, totals)
    first, both = data.range_index(8100, 8100), data.range_index(8100, 8101)
    assert first is not None and both is not None
    views = [(1, first), (1, both), (SITE, first), (SITE, both)]
    released = {_compare(data, TIME, scope, where, 0)[2].value for scope, where in views}
    assert len(released) == 1 and released != {round(parents.mean(), 1)}


def test_the_noise_is_laplace_of_the_documented_scale():
    digests = (hashlib.sha256(str(k).encode()).digest() for k in range(20000))
    draws = np.array([laplace(digest, 1.0) for digest in digests])
    assert abs(np.mean(np.abs(draws)) - 1.0) < 0.03  # E|X| is the scale
    assert abs(np.median(draws)) < 0.03


def test_the_extreme_digests_give_finite_draws():
    """The uniform behind a draw never rounds to +-0.5, whose log(0) raised: at the extremes it
    is 2**-54 inside, so the draw is +-53 log 2."""
    lowest, highest = laplace(bytes(8), 1.0), laplace(b"\xff" * 8, 1.0)
    assert lowest == -highest == pytest.approx(53 * math.log(2))


def test_a_noisy_figure_stays_within_what_the_bounds_and_the_totals_allow():
    quality = next(m for m in METRICS if m.key == "match_quality")
    group, everyone = Moments(5, 3.5, 2.55), Moments(20, 12.0, 7.6)
    for draw in (-50.0, 50.0):
        released = release(quality, group, everyone, draw)
        assert 0.0 <= released.value <= 1.0 and 0.0 <= released.rest_value <= 1.0
        assert released.difference is not None
        assert -1.0 <= released.difference.low <= released.difference.high <= 1.0
    assert release(quality, group, everyone, 0.0).value == 0.7  # 2 decimals, as shown


def test_the_page_says_a_noisy_figure_can_read_0_or_100_percent(client, program):
    """The demo's history read "woman: 32 people, re-matches 0.0 %" with no word of noise
    (third privacy review): an admin took it for none of them. Each noised table says so;
    the match rate, released exactly, does not."""
    tables = {t.key: t for t in equity_section(scope_of((program.pk,)))}
    assert NOISE_NOTE in tables["time_to_match"].notes
    assert NOISE_NOTE not in tables["match_rate"].notes
    client.force_login(admin_of(program))
    page = client.get(reverse("insights_program_section", args=[program.slug, "equity"]))
    assert "may read 0 % or 100 %" in page.content.decode()
