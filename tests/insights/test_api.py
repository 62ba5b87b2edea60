"""The insights API: the same tables as the pages, for the program's admins (and every
program's for site staff); everyone else gets the 404 of a missing program; a bad range is a
400 naming the field."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tandem.insights.scope import QUARTER_HELP
from tandem.insights.sections import SECTIONS
from tests.insights.cast import REFUSED, cast

pytestmark = pytest.mark.django_db

PROGRAM_ENDPOINTS = [
    "/api/programs/{slug}/insights",
    "/api/programs/{slug}/insights/health",
    "/api/programs/{slug}/insights/health/xlsx",
    "/api/programs/{slug}/insights/health/reasons/csv",
]
SITE_ENDPOINTS = [
    "/api/insights",
    "/api/insights/health",
    "/api/insights/health/xlsx",
    "/api/insights/health/reasons/csv",
]


@pytest.fixture
def world(fast_password_hashing):
    return cast()


@pytest.mark.parametrize("endpoint", PROGRAM_ENDPOINTS)
def test_program_endpoints_are_for_the_programs_admins_only(client, world, endpoint):
    url = endpoint.format(slug=world.program.slug)
    assert client.get(url).status_code == 401
    client.force_login(world.people["program admin"])
    assert client.get(url).status_code == 200
    for who in (*REFUSED, "staff"):
        client.force_login(world.people[who])
        refused = client.get(url)
        missing = client.get(endpoint.format(slug="no-such-program"))
        assert (refused.status_code, refused.json()) == (404, missing.json()), who


@pytest.mark.parametrize("endpoint", SITE_ENDPOINTS)
def test_site_endpoints_are_for_staff_only(client, world, endpoint):
    assert client.get(endpoint).status_code == 401
    client.force_login(world.people["staff"])
    assert client.get(endpoint).status_code == 200
    for who in (*REFUSED, "program admin"):
        client.force_login(world.people[who])
        assert client.get(endpoint).status_code == 404, who


def test_the_section_as_json(client, world):
    client.force_login(world.people["program admin"])
    body = client.get(
        f"/api/programs/{world.program.slug}/insights/health", {"from": "2025Q1", "to": "2025Q1"}
    ).json()
    assert (body["key"], body["first_quarter"], body["last_quarter"]) == (
        "health",
        "2025Q1",
        "2025Q1",
    )
    tables = {table["key"]: table for table in body["tables"]}
    assert list(tables) == ["states_by_week", "reasons", "current"]
    reasons = tables["reasons"]
    assert [column["kind"] for column in reasons["columns"]] == ["text", "text", "count", "rate"]
    # One pair, its health recorded once in February with "no contact".
    assert reasons["rows"] == [
        {
            "reason": "No meeting and no message from either side for a long time.",
            "kind": "Concern",
            "pairs": 1,
            "share": 1.0,
        }
    ]
    assert reasons["chart"] == {
        "kind": "hbar",
        "x": "reason",
        "series": ["pairs"],
        "y_label": "Pairs",
        "scale": None,
    }
    assert reasons["summary"] and reasons["notes"] == []
    # The pair's first health was recorded on 5 February: weeks from Monday 3 February to
    # 31 March (9 weeks), at risk throughout.
    weeks = tables["states_by_week"]["rows"]
    assert [week["week"] for week in weeks][:: len(weeks) - 1] == ["2025-02-03", "2025-03-31"]
    assert len(weeks) == 9
    assert {(week["at_risk"], week["pairs"], week["flagged_share"]) for week in weeks} == {
        (1, 1, 1.0)
    }


def test_the_sections_and_their_quarters(client, world):
    client.force_login(world.people["program admin"])
    body = client.get(f"/api/programs/{world.program.slug}/insights").json()
    assert [s["key"] for s in body["sections"]] == [s.key for s in SECTIONS]
    assert body["quarters"][:2] == ["2025Q1", "2025Q2"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-01"}, "from"),
        ({"to": "Q9"}, "to"),
        ({"from": "2025Q3", "to": "2025Q1"}, "to"),
    ],
)
@pytest.mark.parametrize(
    "endpoint",
    [
        "/api/programs/data-guild/insights/health",
        "/api/programs/data-guild/insights/health/xlsx",
        "/api/programs/data-guild/insights/health/reasons/csv",
        "/api/insights/health",
    ],
)
def test_a_bad_range_is_a_400_naming_the_field(client, world, query, field, endpoint):
    client.force_login(
        world.people["staff" if endpoint.startswith("/api/insights") else "program admin"]
    )
    response = client.get(endpoint, query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    if field == "from":
        assert response.json()["fields"]["from"] == QUARTER_HELP


def test_a_missing_section_or_table_is_a_404(client, world):
    client.force_login(world.people["program admin"])
    base = f"/api/programs/{world.program.slug}/insights"
    assert client.get(f"{base}/nope").status_code == 404
    assert client.get(f"{base}/health/nope/csv").status_code == 404


def test_the_files_hold_the_same_figures_as_the_json(client, world):
    client.force_login(world.people["program admin"])
    base = f"/api/programs/{world.program.slug}/insights/health"
    body = client.get(base).json()
    reasons = next(table for table in body["tables"] if table["key"] == "reasons")
    response = client.get(f"{base}/reasons/csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [column["label"] for column in reasons["columns"]]
    assert rows[1:] == [[str(row[c["key"]]) for c in reasons["columns"]] for row in reasons["rows"]]
    book = load_workbook(io.BytesIO(client.get(f"{base}/xlsx").content))
    assert book.sheetnames == [table["key"] for table in body["tables"]]
    sheet = [[cell.value for cell in row] for row in book["reasons"].iter_rows()]
    assert sheet[0] == rows[0]
    assert sheet[1:2] == [[row[c["key"]] for c in reasons["columns"]] for row in reasons["rows"]]
    assert [line[0] for line in sheet[3:5]] == [reasons["title"], reasons["summary"]]


def test_every_operation_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (*PROGRAM_ENDPOINTS, *SITE_ENDPOINTS):
        documented = path.replace("health/reasons", "{section}/{table}").replace(
            "health", "{section}"
        )
        assert "get" in paths[documented], documented
    parameters = paths["/api/programs/{slug}/insights/{section}"]["get"]["parameters"]
    assert {p["name"] for p in parameters if p["in"] == "query"} == {"from", "to"}
    csv_op = paths["/api/programs/{slug}/insights/{section}/{table}/csv"]["get"]
    assert "text/csv" in csv_op["responses"]["200"]["content"]
