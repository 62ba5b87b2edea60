"""The site admin's profile page checks a profile's columns by the participant record's rules,
as the profile page and the API do (live crawl): any text was taken as a time zone, so
``Mars/Olympus`` was a 500 (the availability is converted on save) and ``localtime`` was stored,
which the person's own profile form then refused to save untouched; the JSON columns took
anything."""

from __future__ import annotations

import pytest

from tests.people.factories import ProfileFactory, UserFactory
from tests.untouched import nothing_changes, untouched_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_page(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    profile = ProfileFactory(timezone="Europe/London", languages=["en"], working_style={})
    return profile, f"/admin/people/profile/{profile.pk}/change/"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("timezone", "Mars/Olympus", "is not a time zone"),
        ("timezone", "localtime", "is not a time zone"),
        ("languages", '["xx"]', "xx"),
        ("languages", "5", "Give a list of language codes."),
        ("working_style", '{"directness": 100000000000000000000000}', "directness"),
        ("working_style", '{"mood": 3}', "mood"),
        ("working_style", '["pace"]', "Give an object."),
    ],
)
def test_a_profile_column_breaking_its_rule_is_an_error_on_it(
    client, change_page, field, value, error
):
    profile, page = change_page
    data = untouched_data(client, page, page)
    data[field] = [value]
    with nothing_changes(profile, profile.user):
        response = client.post(page, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert error in str(errors[field])


def test_a_profile_keeping_the_rules_still_saves(client, change_page):
    profile, page = change_page
    data = untouched_data(client, page, page)
    data |= {"timezone": ["Asia/Tokyo"], "working_style": ['{"pace": 4}']}
    assert client.post(page, data).status_code == 302
    profile.refresh_from_db()
    assert (profile.timezone, profile.working_style) == ("Asia/Tokyo", {"pace": 4})


@pytest.mark.parametrize("weekday", ["7", "99999999999999999999"])
def test_a_window_row_with_a_weekday_past_sunday_is_an_error_on_it(client, change_page, weekday):
    profile, page = change_page
    window = profile.windows.create(weekday=0, start_minute=540, end_minute=600)
    data = untouched_data(client, page, page)
    data["windows-0-weekday"] = [weekday]
    with nothing_changes(profile, window):
        response = client.post(page, data)
    assert response.status_code == 200
    (errors,) = [form.errors for form in response.context["inline_admin_formsets"][0].formset]
    assert list(errors) == ["weekday"]
