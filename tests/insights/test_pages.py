"""The insight pages and their downloads: who may open them (everyone else gets the 404 of a
missing program), the quarter filter, the charts' data and the print report's parts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tandem.insights.sections import SECTIONS
from tests.insights.cast import REFUSED, cast

pytestmark = pytest.mark.django_db

PROGRAM_PAGES = [
    ("insights_program", []),
    ("insights_program_section", ["health"]),
    ("insights_program_xlsx", ["health"]),
    ("insights_program_csv", ["health", "reasons"]),
]
SITE_PAGES = [
    ("insights_site", []),
    ("insights_site_section", ["health"]),
    ("insights_site_xlsx", ["health"]),
    ("insights_site_csv", ["health", "reasons"]),
]


@pytest.fixture
def world(fast_password_hashing):
    return cast()


def main_of(response) -> bytes:
    """The page's own content, from its heading (above it: the CSRF token, the URL)."""
    return response.content.split(b"<h1>")[-1]


def program_url(world, name, args):
    return reverse(name, args=[world.program.slug, *args])


@pytest.mark.parametrize(("name", "args"), PROGRAM_PAGES)
def test_program_insights_are_for_the_programs_admins_only(client, world, name, args):
    url = program_url(world, name, args)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(world.people["program admin"])
    assert client.get(url).status_code == 200
    for who in (*REFUSED, "staff"):  # staff read every program together, on the site page
        client.force_login(world.people[who])
        refused = client.get(url)
        missing = client.get(program_url(world, name, args).replace("data-guild", "no-such"))
        assert (refused.status_code, missing.status_code) == (404, 404), who
        assert main_of(refused) == main_of(missing), who


@pytest.mark.parametrize(("name", "args"), SITE_PAGES)
def test_site_insights_are_for_staff_only(client, world, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    client.force_login(world.people["staff"])
    assert client.get(url).status_code == 200
    for who in (*REFUSED, "program admin"):
        client.force_login(world.people[who])
        assert client.get(url).status_code == 404, who


def test_a_missing_section_or_table_is_a_404(client, world):
    client.force_login(world.people["program admin"])
    assert client.get(program_url(world, "insights_program_section", ["nope"])).status_code == 404
    assert client.get(program_url(world, "insights_program_xlsx", ["nope"])).status_code == 404
    csv_url = program_url(world, "insights_program_csv", ["health", "nope"])
    assert client.get(csv_url).status_code == 404


def test_the_page_charts_every_table_above_its_data_table(client, world):
    client.force_login(world.people["program admin"])
    page = client.get(program_url(world, "insights_program_section", ["health"]))
    html = page.content.decode()
    assert all(f">{section.title}</a>" in html for section in SECTIONS)  # the tabs
    assert "Print report" in html
    assert 'src="/static/insights/chart.umd.min.js"' in html
    assert "<script>" not in html and "onclick" not in html  # nothing inline (the CSP)
    for item in page.context["tables"]:
        assert item.table.rows and item.chart  # each health table has data and a chart here
        assert f'data-chart="{item.chart_id}"' in html
        script = html.split(f'id="{item.chart_id}" type="application/json">')[1]
        assert json.loads(script.split("<")[0]) == item.chart
        caption = f'<caption class="visually-hidden">{item.table.title}</caption>'
        assert html.index(f'data-chart="{item.chart_id}"') < html.index(caption)
    reasons = next(item for item in page.context["tables"] if item.table.key == "reasons")
    # One pair, its health recorded once with "no contact": 1 pair, 100 % of the pairs.
    assert reasons.rows == [
        ["No meeting and no message from either side for a long time.", "Concern", "1", "100.0 %"]
    ]
    assert reasons.chart == {
        "kind": "hbar",
        "labels": ["No meeting and no message from either side for a long time."],
        "series": [{"label": "Pairs", "data": [1]}],
        "yLabel": "Pairs",
        "percent": False,
        "scale": None,
    }


def test_the_filter_offers_the_quarters_with_data_and_keeps_the_range(client, world):
    client.force_login(world.people["program admin"])
    url = program_url(world, "insights_program_section", ["health"])
    page = client.get(url, {"from": "2025Q2", "to": ""})
    choices = [value for value, _ in page.context["form"].fields["from"].choices]
    # Everyone joined in 2025Q1: from then to this quarter.
    assert choices[:3] == ["", "2025Q1", "2025Q2"]
    assert page.status_code == 200
    reasons = next(item for item in page.context["tables"] if item.table.key == "reasons")
    assert reasons.rows == []  # health was recorded in February, before 2025Q2
    html = page.content.decode()
    assert "?from=2025Q2" in html  # tabs and downloads keep the range
    csv_url = program_url(world, "insights_program_csv", ["health", "states_by_week"])
    assert f"{csv_url}?from=2025Q2" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "1999Q1"}, "from"),  # not a quarter with data
        ({"from": "junk"}, "from"),
        ({"to": "2025Q5"}, "to"),
        ({"from": "2025Q2", "to": "2025Q1"}, "to"),  # reversed
    ],
)
def test_a_bad_range_is_a_form_error_not_a_crash(client, world, query, field):
    client.force_login(world.people["program admin"])
    page = client.get(program_url(world, "insights_program", []), query)
    assert page.status_code == 400
    assert page.context["form"].errors[field]
    assert page.context["tables"] == []
    assert b'role="alert"' in page.content
    assert f'aria-describedby="id_{field}-error"'.encode() in page.content
    assert b"Print report" not in page.content  # nothing to print


def test_a_bad_range_on_a_download_is_a_400_page(client, world):
    client.force_login(world.people["program admin"])
    url = program_url(world, "insights_program_csv", ["health", "reasons"])
    assert client.get(url, {"to": "2025Q9"}).status_code == 400


def test_the_csv_has_the_tables_figures(client, world):
    client.force_login(world.people["program admin"])
    url = program_url(world, "insights_program_csv", ["health", "reasons"])
    response = client.get(url, {"from": "2025Q1", "to": "2025Q1"})
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="data-guild-health-reasons-2025Q1-2025Q1.csv"' in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Reason", "Concern or strength", "Pairs", "Share of pairs"],
        ["No meeting and no message from either side for a long time.", "Concern", "1", "1.0"],
    ]


def test_the_xlsx_has_a_sheet_per_table(client, world):
    client.force_login(world.people["program admin"])
    response = client.get(program_url(world, "insights_program_xlsx", ["health"]))
    assert 'filename="data-guild-health.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    section = next(s for s in SECTIONS if s.key == "health")
    assert len(book.sheetnames) == 3 == len(section.build(cast_scope(world)))
    reasons = book["reasons"]
    values = [[cell.value for cell in row] for row in reasons.iter_rows()]
    assert values[:2] == [
        ["Reason", "Concern or strength", "Pairs", "Share of pairs"],
        ["No meeting and no message from either side for a long time.", "Concern", 1, 1],
    ]


def cast_scope(world):
    from tandem.insights.scope import scope_of

    return scope_of((world.program.pk,))


def test_site_page_names_every_program(client, world):
    client.force_login(world.people["staff"])
    html = client.get(reverse("insights_site")).content.decode()
    assert "Insights: every program" in html
    assert "All programs are counted together." in html


def test_the_admins_pages_link_to_the_programs_insights(client, world):
    insights = reverse("insights_program", args=[world.program.slug])
    client.force_login(world.people["program admin"])
    assert f'href="{insights}"' in client.get(reverse("dashboard")).content.decode()
    detail = client.get(reverse("program_detail", args=[world.program.slug])).content.decode()
    assert f'href="{insights}"' in detail
    client.force_login(world.people["mentee"])
    detail = client.get(reverse("program_detail", args=[world.program.slug])).content.decode()
    assert insights not in detail


def test_staffs_home_links_to_every_programs_insights(client, world):
    site = reverse("insights_site")
    client.force_login(world.people["staff"])
    assert f'href="{site}"' in client.get(reverse("dashboard")).content.decode()
    client.force_login(world.people["program admin"])  # runs a program, is not staff
    assert f'href="{site}"' not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("section", [section.key for section in SECTIONS])
def test_every_section_shows_downloads_and_answers_in_the_api(client, world, section):
    """Whatever a section's tables hold, the page charts and tabulates them, each table
    downloads as CSV, the section as XLSX, and the API gives the same tables."""
    client.force_login(world.people["program admin"])
    for query in ({}, {"from": "2025Q1", "to": "2025Q2"}):
        page = client.get(program_url(world, "insights_program_section", [section]), query)
        assert page.status_code == 200
        keys = [item.table.key for item in page.context["tables"]]
        assert keys and len(keys) == len(set(keys))
        api = client.get(f"/api/programs/{world.program.slug}/insights/{section}", query)
        assert [table["key"] for table in api.json()["tables"]] == keys
        for key in keys:
            url = program_url(world, "insights_program_csv", [section, key])
            assert client.get(url, query).status_code == 200
        book = client.get(program_url(world, "insights_program_xlsx", [section]), query)
        assert load_workbook(io.BytesIO(book.content)).sheetnames == [k[:31] for k in keys]
