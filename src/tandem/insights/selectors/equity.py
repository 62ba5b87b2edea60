"""The equity section: each figure by opt-in identity group against everyone else, with the
difference's 95 % interval and a sentence, and every figure the audit withholds left out.

The figures come from the cached audit of the whole family (``equity_data``): this module only
looks up the cells of the scope's programs and quarters, so a program's page and the site's
never disagree about what is withheld, and a page costs a few aggregate queries for the data
version plus a cache read.
"""

from __future__ import annotations

import numpy as np
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tandem.feedback.models import EDIT_WINDOW
from tandem.insights.equity import noise, releases
from tandem.insights.equity.cohorts import shown_words, waiting_words
from tandem.insights.equity.family import SITE, EquityData
from tandem.insights.equity.intervals import Moments
from tandem.insights.equity.metrics import INDEX, METRICS, Kind, Metric
from tandem.insights.equity.noise import Released
from tandem.insights.equity.releases import release_year, replay
from tandem.insights.equity.statements import statement
from tandem.insights.equity.suppression import Decisions
from tandem.insights.scope import InsightScope, Quarter
from tandem.insights.selectors.equity_data import equity_audited, first_mentee_quarter
from tandem.insights.tables import Cell, Chart, Column, ColumnKind, InsightTable
from tandem.programs.models import Program

WITHHELD = "Withheld"
WITHHELD_NOTE = (
    "“Withheld” marks a figure that is not shown: it counts fewer than 5 people (in the group "
    "or in everyone else), it is a rate that would place all the people with an outcome (or "
    "all without it) inside the group or outside it, or showing it would let a hidden figure "
    "be worked out from the figures shown here, on other pages, for other quarters or for the "
    "whole site. The same figures are withheld in the page, the API and the exports."
)
NOISE_NOTE = (
    "Each group's figure carries deliberate random noise, so that no one person's answer or "
    "outcome can be worked out from it: it may read 0 % or 100 % (or the end of its scale) "
    "although some of the group had the outcome, or not all of them did. Everyone else's "
    "figure makes up the scope's true total, and the interval allows for the noise."
)
UNCHECKED_NOTE = (
    "Too many small groups to check in time: every group's figures are withheld until the "
    "background check finishes (within about 15 minutes). The totals on the other sections "
    "are shown as usual."
)
HOW_GROUPS = (
    "Groups are the background attributes mentees chose to share (compared ignoring case and "
    "spacing), named only when at least 5 people among the mentees shown, in any program of "
    "Tandem, shared them; smaller groups are not named at all. A mentee may share several. "
    "Everyone else: every other mentee counted here, including those who shared nothing."
)
NO_GROUPS = "No background attribute has been shared by enough mentees to be shown."
NO_MENTEES = "No mentee joined in these quarters."
NOT_FINAL = (
    "The mentees who joined in these quarters have not been followed long enough to be shown yet."
)
NOT_AUDITED = (
    "Equity figures are shown for one program or for the whole site only: the figures of this "
    "selection of programs were not audited for suppression, so none is shown."
)
AGAINST = "Each group against everyone else, with the 95 % interval of the difference."
# Answers only the pair (goals) or their author (closing surveys) may read. No other page
# publishes their totals by the quarter people joined, and a group's figure with everyone
# else's gives the total: over two ranges differenced, that could be one person's answer. So
# they are shown for all quarters together only, where no range can be differenced, and change
# only in yearly releases (``equity.releases``), never by one cohort's answers.
PRIVATE_ANSWERS = frozenset({"satisfaction", "goal_completion"})
ALL_QUARTERS_ONLY = (
    "Shown for all quarters together only: these figures come from answers only their authors "
    "(or the pair) may read, and two ranges of quarters compared could single one answer out. "
    "Clear the quarter range to see them."
)
NUMBERS = ("people", "value", "rest_people", "rest_value", "difference", "low", "high")
UNITS = {"time_to_match": ColumnKind.WEEKS}
Shown = tuple[int, int, Released]  # the group's people, everyone else's, the released figure
# The noise's own key, derived from SECRET_KEY: no other use of the secret shares it.
NOISE_SALT = "tandem.insights.equity.noise"


def _quarter(quarter: Quarter | None) -> int | None:
    return None if quarter is None else quarter.year * 4 + quarter.number - 1


def _scope_index(data: EquityData, scope: InsightScope) -> int | None:
    """The family's scope for these programs: one program, or the site (``None``: neither). A
    deleted program's frozen cohorts still count in the site's figures."""
    ids = set(scope.program_ids)
    if len(ids) == 1:
        (program,) = ids
        return data.programs.index(program) + 1 if program in data.programs else -1
    missing = set(data.programs) - ids
    return None if missing and Program.objects.filter(pk__in=missing).exists() else SITE


def _kind(metric: Metric) -> ColumnKind:
    if metric.kind is Kind.RATE or metric.scale == 100.0:
        return ColumnKind.RATE
    return UNITS.get(metric.key, ColumnKind.NUMBER)


def _columns(metric: Metric) -> list[Column]:
    kind = _kind(metric)
    # A gap between two shares is in percentage points, not a per cent of a per cent.
    gap = ColumnKind.POINTS if kind == ColumnKind.RATE else kind
    return [
        Column("group", "Shared group", ColumnKind.TEXT),
        Column("people", "People", ColumnKind.COUNT),
        Column("value", metric.title, kind),
        Column("rest_people", "Everyone else: people", ColumnKind.COUNT),
        Column("rest_value", f"Everyone else: {metric.title.lower()}", kind),
        Column("difference", "Difference", gap),
        Column("low", "95 % interval from", gap),
        Column("high", "95 % interval to", gap),
        Column("statement", "In words", ColumnKind.TEXT),
    ]


def _moments(values: list[float], metric: Metric) -> Moments:
    return Moments(
        values[INDEX[metric.n]], values[INDEX[metric.total]], values[INDEX[metric.squares]]
    )


def _row(name: str, metric: Metric, shown: Shown | None) -> dict[str, Cell]:
    if shown is None:
        return {"group": name, "statement": WITHHELD} | dict.fromkeys(NUMBERS)
    people, rest_people, released = shown
    difference = released.difference
    if difference is None:
        words = "Too few people on one side for an interval."
    else:
        words = statement(metric, name, difference)
    return {
        "group": name,
        "people": people,
        "value": released.value,
        "rest_people": rest_people,
        "rest_value": released.rest_value,
        "difference": difference.estimate if difference else None,
        "low": difference.low if difference else None,
        "high": difference.high if difference else None,
        "statement": words,
    }


def _private(
    data: EquityData, decisions: Decisions, metric: Metric, scope: int
) -> tuple[int | None, np.ndarray, str]:
    """Where the cells of a private-answers figure come from: the latest yearly release."""
    year = release_year(timezone.now(), EDIT_WINDOW)
    release = replay(data, metric, decisions.withheld[metric.key], year)
    if release.range is None:
        return None, np.ones(len(data.names), dtype=bool), releases.waiting_words(year, EDIT_WINDOW)
    return release.range, ~release.shown[scope], releases.release_words(year, EDIT_WINDOW)


def _table(
    data: EquityData, decisions: Decisions, metric: Metric, scope: int, where: int, cohorts: str
) -> InsightTable:
    cells: int | None = where
    withheld = decisions.withheld[metric.key][scope, where]
    notes = []
    if metric.key in PRIVATE_ANSWERS:
        if where == data.range_index(None, None):
            cells, withheld, note = _private(data, decisions, metric, scope)
        else:
            cells, note = None, ALL_QUARTERS_ONLY
        notes.append(note)
    rows = [
        _row(
            name,
            metric,
            None if cells is None or withheld[g] else _compare(data, metric, scope, cells, g),
        )
        for g, name in enumerate(data.names)
    ]
    if metric.bounds is not None and any(r["statement"] != WITHHELD for r in rows):
        notes.insert(0, NOISE_NOTE)  # a noised 0 % read as "none of them" (third review)
    if any(r["statement"] == WITHHELD for r in rows) and cells is not None:
        notes.insert(0, WITHHELD_NOTE)
    if not decisions.complete:
        notes = [UNCHECKED_NOTE]
    return InsightTable(
        key=metric.key,
        title=f"{metric.title} by shared group",
        summary=f"{cohorts} {metric.counted} {AGAINST} {HOW_GROUPS}",
        columns=_columns(metric),
        rows=rows,
        chart=Chart("hbar", "group", ("value", "rest_value"), metric.title),
        notes=notes,
    )


def _compare(data: EquityData, metric: Metric, scope: int, where: int, g: int) -> Shown:
    """The group's sizes (exact) and its released figure, with the noise of its people."""
    everyone = _moments([float(x) for x in data.total_cells[scope, where]], metric)
    group = _moments([float(x) for x in data.group_cells[scope, where, g]], metric)
    label = f"{noise.NOISE_VERSION}|{_cell_label(data, scope, where, g, metric)}"
    draw = noise.laplace(salted_hmac(NOISE_SALT, label, algorithm="sha256").digest(), 1.0)
    released = noise.release(metric, group, everyone, draw)
    return int(group.n), int(everyone.n - group.n), released


def _cell_label(data: EquityData, scope: int, where: int, g: int, metric: Metric) -> str:
    """What a cell's noise is keyed by: the group, the figure and the (program, quarter) slices
    of the cell where the group itself has people for the figure. Two cells with the same such
    slices sum the same people (a range whose added quarters hold none of the group, the site
    and the one program where the group is): they share one draw, which reading both cannot
    average away."""
    quarters = data.quarters
    people = data.groups[:, :, g, INDEX[metric.n]].reshape(-1) > 0
    slices = np.flatnonzero(data.coverage[scope, where] & people)
    where_people = (
        f"{data.programs[x // quarters]}:{data.first_quarter + x % quarters}" for x in slices
    )
    return "|".join((",".join(where_people), data.names[g], metric.key))


def _empty(note: str, cohorts: str = "") -> list[InsightTable]:
    return [
        InsightTable(
            key=metric.key,
            title=f"{metric.title} by shared group",
            summary=" ".join(filter(None, (cohorts, metric.counted, HOW_GROUPS))),
            columns=_columns(metric),
            notes=[note],
        )
        for metric in METRICS
    ]


def equity_section(scope: InsightScope) -> list[InsightTable]:
    """Only final cohorts are counted, each as of its cut-off (``equity.cohorts``), so no
    figure changes when someone joins, is matched or answers today."""
    data, decisions = equity_audited()
    index = _scope_index(data, scope)
    if index is None:
        return _empty(NOT_AUDITED)
    if index < 0 or not data.quarters:  # no final cohort here: say when the first one is
        first = first_mentee_quarter(scope.program_ids)
        if first is not None:
            return _empty(waiting_words(first, EDIT_WINDOW))
    cohorts = "" if data.final is None else shown_words(data.final, EDIT_WINDOW)
    if not data.names:
        return _empty(NO_GROUPS, cohorts)
    if index < 0:
        return _empty(NO_MENTEES)
    start = _quarter(scope.first)
    if data.final is not None and start is not None and start > data.final:
        return _empty(NOT_FINAL, cohorts)
    where = data.range_index(start, _quarter(scope.last))
    if where is None or data.total_cells[index, where, INDEX["enrolled"]] == 0:
        return _empty(NO_MENTEES, cohorts)
    return [_table(data, decisions, metric, index, where, cohorts) for metric in METRICS]
