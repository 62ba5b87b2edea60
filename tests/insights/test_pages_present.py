"""How the insight pages set a table out (issue #13): a row header only for a text first
column, withheld figures named, long tables folded, one format per column kind, and a bar
chart of concerns and strengths drawn in two colours."""

from __future__ import annotations

from tandem.insights.tables import Chart, Column, ColumnKind, InsightTable
from tandem.insights.views.present import (
    COLLAPSE_ROWS,
    WITHHELD_ROW,
    cell_text,
    chart_data,
    shown,
)

COUNT = ColumnKind.COUNT
TEXT = ColumnKind.TEXT


def table(columns, rows, chart=None) -> InsightTable:
    return InsightTable("t", "T", "S", columns, rows, chart)


def test_a_one_row_table_of_figures_has_no_row_header():
    item = shown(
        table(
            [Column("mentors", "Mentors"), Column("share", "Share", ColumnKind.RATE)],
            [{"mentors": 221, "share": 0.321}],
        ),
        section="matching",
        csv_url="/x",
    )
    assert item.body == [[("221", "num", "Mentors"), ("32.1 %", "num", "Share")]]


def test_a_text_first_column_heads_its_row_and_other_text_wraps():
    item = shown(
        table(
            [Column("group", "Group", TEXT), Column("n", "People"), Column("s", "In words", TEXT)],
            [{"group": "carer", "n": 1234, "s": "No clear difference."}],
        ),
        section="equity",
        csv_url="/x",
    )
    assert item.body == [
        [
            ("carer", "row", "Group"),
            ("1,234", "num", "People"),
            ("No clear difference.", "text", "In words"),
        ]
    ]


def test_a_withheld_row_says_so_once_with_why():
    """Live review F17: "Withheld" in each of a row's eight cells, with no reason; the data (and
    the CSV and the API) keep a figure per cell, the page one line that spans them."""
    columns = [Column("group", "Group", TEXT), Column("n", "People"), Column("s", "In words", TEXT)]
    item = shown(
        table(
            columns,
            [
                {"group": "carer", "n": None, "s": "Withheld"},
                {"group": "parent", "n": None, "s": "x"},
            ],
        ),
        section="equity",
        csv_url="/x",
    )
    assert item.rows == [["carer", "Withheld", "Withheld"], ["parent", "–", "x"]]
    assert item.body[0] == [("carer", "row", "Group"), (WITHHELD_ROW, "withheld-row", "2")]
    assert "fewer than 5 people" in WITHHELD_ROW
    assert "about particular people" in WITHHELD_ROW  # not "a hidden one" (UX review)
    assert item.body[1][1] == ("–", "num", "People")


def test_a_withheld_group_is_left_out_of_the_chart():
    columns = [Column("group", "Group", TEXT), Column("n", "People"), Column("s", "In words", TEXT)]
    rows = [{"group": "carer", "n": None, "s": "Withheld"}, {"group": "parent", "n": 7, "s": "x"}]
    chart = chart_data(table(columns, rows, Chart("bar", x="group", series=("n",))))
    assert chart and chart["labels"] == ["parent"] and chart["series"][0]["data"] == [7]


def test_a_difference_of_two_rates_reads_in_percentage_points():
    assert cell_text(-0.026, ColumnKind.POINTS) == "−2.6 pp"
    assert cell_text(0.1, ColumnKind.POINTS) == "10.0 pp"
    assert cell_text(0.1, ColumnKind.RATE) == "10.0 %"


def test_long_tables_under_a_chart_fold_and_short_ones_do_not():
    columns = [Column("week", "Week", TEXT), Column("n", "Meetings")]
    chart = Chart("line", x="week", series=("n",))
    rows = [{"week": f"w{i}", "n": i} for i in range(COLLAPSE_ROWS + 1)]
    assert shown(table(columns, rows, chart), section="e", csv_url="/x").collapsed
    assert not shown(
        table(columns, rows[:COLLAPSE_ROWS], chart), section="e", csv_url="/x"
    ).collapsed
    assert not shown(table(columns, rows), section="e", csv_url="/x").collapsed  # no chart: shown


def test_each_column_kind_reads_one_way():
    assert cell_text(3159.7, COUNT) == "3,160"
    assert cell_text(0.63, ColumnKind.RATE) == "63.0 %"
    assert cell_text(0.467, ColumnKind.RATE) == "46.7 %"
    columns = [Column("week", "Week", TEXT), Column("planned", "Planned", ColumnKind.NUMBER)]
    big = shown(
        table(columns, [{"week": "a", "planned": 3159.6}, {"week": "b", "planned": 0.4}]),
        section="e",
        csv_url="/x",
    )
    small = shown(table(columns, [{"week": "a", "planned": 12.25}]), section="e", csv_url="/x")
    assert [row[1] for row in big.rows] == ["3,160", "0"]
    assert small.rows == [["a", "12.2"]]


def test_concerns_and_strengths_are_two_series_in_one_bar_chart():
    columns = [
        Column("reason", "Reason", TEXT),
        Column("kind", "Kind", TEXT),
        Column("pairs", "Pairs"),
    ]
    rows = [
        {"reason": "Meets as agreed.", "kind": "Strength", "pairs": 5},
        {"reason": "No contact.", "kind": "Concern", "pairs": 2},
    ]
    item = shown(
        table(columns, rows, Chart("hbar", x="reason", series=("pairs",))),
        section="health",
        csv_url="/x",
    )
    assert item.chart is not None
    assert item.chart["labels"] == ["Meets as agreed.", "No contact."]
    assert item.chart["series"] == [
        {"label": "Pairs: concern", "data": [None, 2]},
        {"label": "Pairs: strength", "data": [5, None]},
    ]


def test_a_wide_table_is_cards_on_a_phone_unless_folded_away():
    wide = [Column("group", "Group", TEXT), *[Column(f"n{i}", f"N {i}") for i in range(8)]]
    row = {"group": "carer", **{f"n{i}": i for i in range(8)}}
    item = shown(table(wide, [row]), section="equity", csv_url="/x")
    assert item.cards and [label for _t, _r, label in item.body[0]][1:3] == ["N 0", "N 1"]
    narrow = shown(table(wide[:3], [row]), section="equity", csv_url="/x")
    assert not narrow.cards


def test_equity_gaps_between_rates_are_in_points():
    from tandem.insights.equity.metrics import METRICS
    from tandem.insights.selectors.equity import _columns

    for metric in METRICS:
        kinds = {column.key: column.kind for column in _columns(metric)}
        if kinds["value"] == ColumnKind.RATE:
            assert {kinds["difference"], kinds["low"], kinds["high"]} == {ColumnKind.POINTS}
        else:
            assert kinds["difference"] == kinds["value"]
    assert any(_columns(m)[2].kind == ColumnKind.RATE for m in METRICS)
