"""The insight pages on a phone (ux review: the funnel ran to 8,600 px at 390 px, outcomes and
equity to 12,000-18,000, each table's rows as cards under a chart that already showed them):
there a data table under a chart, or one read as cards, starts folded under "The figures as a
table", one tap away; on a desktop it is open, and a print opens it too."""

from __future__ import annotations

import json

import pytest

from tandem.programs.models import Role
from tests.e2e.test_phone_widths import NARROWEST, PHONE, open_as
from tests.people.factories import ProfileFactory, UserFactory
from tests.programs.factories import ProgramFactory, enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.any_database,
    pytest.mark.django_db(transaction=True),
]

FUNNEL = "/programs/{slug}/insights/funnel/"


@pytest.fixture
def admin_of():
    program = ProgramFactory(name="Data Guild", slug="data-guild")
    admin = ProfileFactory(user=UserFactory(first_name="Ada", last_name="Admin")).user
    enrol(admin, program, role=Role.ADMIN)
    for _ in range(3):
        enrol(ProfileFactory().user, program)
    return program, admin


def _tables(page):
    folds = page.locator("details[data-fold-narrow]")
    return folds, [folds.nth(i).evaluate("d => d.open") for i in range(folds.count())]


def test_a_phone_folds_the_tables_under_charts_and_a_desktop_does_not(
    chromium, live_server, admin_of
):
    program, admin = admin_of
    url = FUNNEL.format(slug=program.slug)
    for viewport, folded in (
        (PHONE, True),
        (NARROWEST, True),
        ({"width": 1280, "height": 900}, False),
    ):
        page = open_as(chromium, live_server, admin, viewport=viewport)
        page.goto(url)
        page.wait_for_selector("canvas[data-drawn]")
        folds, opened = _tables(page)
        assert len(opened) >= 2  # the mentees' and the mentors' funnels
        assert opened == [not folded] * len(opened), viewport
        if folded:
            first = folds.first
            assert not first.get_by_role("table").is_visible()
            first.get_by_text("The figures as a table").click()  # one tap opens it
            assert first.get_by_role("table").is_visible()
            page.emulate_media(media="print")
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            assert all(_tables(page)[1])  # the report prints every table
        page.context.close()


def test_without_script_every_table_stays_open(chromium, live_server, admin_of):
    program, admin = admin_of
    page = open_as(chromium, live_server, admin, viewport=PHONE, script=False)
    page.goto(FUNNEL.format(slug=program.slug))
    _folds, opened = _tables(page)
    assert opened and all(opened)
    page.context.close()


REASONS = [
    "Both sides rated the meetings useful in their check-ins",
    "A side rated the last meeting as not useful at all",
    "Meetings",
]
HBAR = """<!doctype html><html><body><div style="position:relative;width:{width}px;height:300px">
<canvas data-chart="reasons"></canvas></div>
<script id="reasons" type="application/json">{spec}</script>
<script src="{base}/static/insights/chart.umd.min.js"></script>
<script src="{base}/static/insights/insights.js"></script></body></html>"""


@pytest.mark.parametrize("width", [310, 1000])
def test_a_bar_charts_long_labels_wrap_instead_of_being_cut(chromium, live_server, width):
    """UX review: on a phone each reason was cut to 16 characters ("Both sides rated…"), so
    the chart of the health checks' reasons told nothing without its folded table."""
    spec = {"kind": "hbar", "labels": REASONS, "series": [{"label": "Pairs", "data": [3, 2, 1]}]}
    page = chromium.new_page()
    page.set_content(HBAR.format(width=width, spec=json.dumps(spec), base=live_server.url))
    page.wait_for_selector("canvas[data-drawn]")
    ticks = page.evaluate(
        "Chart.getChart(document.querySelector('canvas')).scales.y.ticks.map(t => t.label)"
    )
    page.close()
    lines = [tick if isinstance(tick, list) else [tick] for tick in ticks]
    assert all(1 <= len(label) <= 3 for label in lines), lines
    words = [" ".join(label) for label in lines]
    assert words[0].startswith("Both sides rated the meetings"), words
    assert words[2] == "Meetings"
