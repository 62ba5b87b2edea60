"""The site admin's meeting series page holds the zone and the rule to what scheduling writes
(live crawl on PostgreSQL: a zone and a rule of "😀…" were saved on
/admin/mentorships/meetingseries/<id>/change/, and the pair's meeting pages and calendar files
were then a 500)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest

from tandem.mentorships.admin import SERIES_RULE_INVALID
from tests.mentorships.factories import UserFactory, series_from
from tests.untouched import nothing_changes, untouched_data

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def series_page(client):
    _, first = series_from(
        datetime(2027, 1, 11, 9, 0, tzinfo=BERLIN),
        ends_on=date(2027, 6, 30),
        repeat="weekly",
        count=6,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return first.series, f"/admin/mentorships/meetingseries/{first.series.pk}/change/"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("timezone", "😀 RTL", "is not a time zone"),
        ("timezone", "Mars/Olympus", "is not a time zone"),
        ("rrule", "😀 RTL", SERIES_RULE_INVALID),
        ("rrule", "FREQ=SECONDLY", SERIES_RULE_INVALID),
        ("rrule", "FREQ=WEEKLY;UNTIL=20271331T000000Z", SERIES_RULE_INVALID),
        ("duration_minutes", "1", "greater than or equal to 5"),
        ("duration_minutes", "481", "less than or equal to 480"),
    ],
)
def test_a_zone_or_rule_scheduling_never_writes_is_an_error_on_it(
    client, series_page, field, value, error
):
    series, page = series_page
    data = untouched_data(client, page, page)
    data[field] = [value]
    with nothing_changes(series):
        response = client.post(page, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field] and error in str(errors[field])


def test_the_page_saved_untouched_still_changes_nothing(client, series_page):
    series, page = series_page
    with nothing_changes(series):
        response = client.post(page, untouched_data(client, page, page))
    assert response.status_code == 302


def test_another_rule_scheduling_writes_is_saved(client, series_page):
    series, page = series_page
    data = untouched_data(client, page, page)
    data["rrule"] = ["FREQ=MONTHLY;INTERVAL=3;UNTIL=20271231T235959Z"]
    data["timezone"] = ["America/New_York"]
    assert client.post(page, data).status_code == 302
    series.refresh_from_db()
    assert (series.rrule, series.timezone) == (data["rrule"][0], "America/New_York")
