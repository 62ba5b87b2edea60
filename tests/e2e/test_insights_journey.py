"""Issue #13 end to end in Chromium: a program's admin opens the insights from the program's
page, narrows them to one quarter, downloads a table as CSV and prints the report (print
media: no navigation or filters, every chart and table)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tandem.feedback.models import HealthSnapshot
from tandem.mentorships.models import Mentorship
from tandem.programs.models import Enrolment, Role
from tests.e2e.test_mentorship_journey import log_in, person
from tests.mentorships.factories import mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history(program) -> None:
    """A pair matched in January 2025, at risk (no contact) in February; another matched in
    April, stalled (missed periods) in May. Everyone joined in January."""
    for matched, when, state, code in (
        ("2025-01-20T10:00", "2025-02-05T10:00", "at_risk", "no_contact"),
        ("2025-04-10T10:00", "2025-05-07T10:00", "stalled", "missed_periods"),
    ):
        pair = mentorship(program=program)
        created = datetime.fromisoformat(matched).replace(tzinfo=UTC)
        Mentorship.objects.filter(pk=pair.pk).update(created_at=created)
        HealthSnapshot.objects.create(
            mentorship=pair,
            program=program,
            state=state,
            score=40,
            reason_codes=[code],
            computed_at=datetime.fromisoformat(when).replace(tzinfo=UTC),
        )
    Enrolment.objects.filter(program=program).update(created_at=datetime(2025, 1, 10, tzinfo=UTC))


def test_an_admin_filters_downloads_and_prints_the_insights(page):
    program = ProgramFactory(name="Data Guild", slug="data-guild")
    admin = person("ada.insights@example.org", "Ada", "Europe/Berlin")
    EnrolmentFactory(program=program, person=admin, role=Role.ADMIN)
    _history(program)
    log_in(page, "ada.insights@example.org")

    page.goto("/programs/data-guild/")
    page.get_by_role("link", name="Insights").click()
    page.get_by_role("navigation", name="Insight sections").get_by_role(
        "link", name="Health"
    ).click()
    page.wait_for_selector("canvas[data-drawn]")

    # The cohort: the second quarter of 2025 only.
    page.get_by_label("From", exact=True).select_option("2025Q2")
    page.get_by_label("To", exact=True).select_option("2025Q2")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/insights/health/?from=2025Q2&to=2025Q2")
    reasons = page.locator("section.insight", has=page.get_by_role("heading", name="Reasons"))
    table = reasons.get_by_role("table")
    assert "Whole cadence periods went by without a meeting." in table.inner_text()
    assert "No meeting and no message" not in table.inner_text()  # that was in 2025Q1

    with page.expect_download() as download_info:
        reasons.get_by_role("link", name="Download this table as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "data-guild-health-reasons-2025Q2-2025Q2.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    # One pair had health recorded in 2025Q2, stalled for missed periods: 1 pair, all of them.
    assert rows == [
        ["Reason", "Concern or strength", "Pairs", "Share of pairs"],
        ["Whole cadence periods went by without a meeting.", "Concern", "1", "1.0"],
    ]

    # Print: the button calls window.print (stubbed here: headless Chromium has no dialog).
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Print report").click()
    assert page.locator("body").get_attribute("data-printed") == "yes"
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator("form.insights-filter").is_visible()
    assert not page.get_by_role("button", name="Print report").is_visible()
    assert page.get_by_text("Health, from 2025Q2 to 2025Q2.").is_visible()
    charts = page.locator("canvas[data-drawn]")
    assert charts.count() == 3
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    assert page.locator("table.insight-table").count() == 3
    assert all(t.is_visible() for t in page.locator("table.insight-table").all())
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
