"""The health insights leave out the reader's own pairs (live privacy review: an admin who
mentored in the program read "At risk 1" and "A side rated the latest check-in low." on
Insights -> Health and in its CSVs after only their mentee answered low).

Twin programs, each run by the mentor of its one pair, the mentee's private pulses low in one
and high in the other (the health product's twins): the mentor-admin's health page and its
three CSVs are the same in both; a plain admin still has the pair counted."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from tandem.feedback.models import HealthState, MentorshipHealth
from tandem.insights.sections import OWN_PAIRS_LEFT_OUT
from tandem.programs.models import Role
from tests.feedback.health_product.test_admin_who_mentors import twins  # noqa: F401
from tests.feedback.observed import anonymous, differences
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db

TABLES = ("current", "reasons", "states_by_week")
FRESHNESS = re.compile(r"Figures as of \d\d:\d\d UTC")


def health_insights(client, pair, reader) -> dict[str, str]:
    """The health insights page and its CSVs as ``reader`` reads them, the pair anonymous."""
    client.force_login(reader)
    slug = pair.program.slug
    urls = {"page": reverse("insights_program_section", args=[slug, "health"])}
    for table in TABLES:
        urls[table] = reverse("insights_program_csv", args=[slug, "health", table])
    seen = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        seen[name] = anonymous(FRESHNESS.sub("Figures as of T", response.content.decode()), pair)
    return seen


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_mentor_admin_reads_the_same_whatever_the_mentee_answered(client, twins):  # noqa: F811
    low, high = twins["low"], twins["high"]
    assert MentorshipHealth.objects.get(pk=low.pk).state == HealthState.AT_RISK  # the premise
    seen_low = health_insights(client, low, low.mentor)
    seen_high = health_insights(client, high, high.mentor)
    for name, text in seen_low.items():
        assert text == seen_high[name], (name, differences(text, seen_high[name]))
    assert OWN_PAIRS_LEFT_OUT in seen_low["page"]
    assert csv_rows(seen_low["reasons"]) == [
        ["Reason", "Concern or strength", "Pairs", "Share of pairs"]
    ]


def test_a_plain_admin_still_has_the_pair_counted(client, twins):  # noqa: F811
    low = twins["low"]
    seen = health_insights(client, low, member(low.program, Role.ADMIN))
    current = {row[0]: row[1] for row in csv_rows(seen["current"])[1:]}
    assert current[HealthState.AT_RISK.label] == "1"
    assert len(csv_rows(seen["reasons"])) > 1
    assert OWN_PAIRS_LEFT_OUT not in seen["page"]


def test_a_stored_snapshot_is_never_read_by_a_reader_whose_pairs_it_counts(
    client,
    settings,
    twins,  # noqa: F811
):
    settings.INSIGHTS_MAX_AGE = 3600
    low = twins["low"]
    admin = member(low.program, Role.ADMIN)
    counted = health_insights(client, low, admin)["current"]
    without_own = health_insights(client, low, low.mentor)["current"]
    assert without_own != counted
    assert health_insights(client, low, admin)["current"] == counted
