"""A profile's languages are kept most fluent first (issue #14 item 3: matching tells a pair
whose first languages differ): the form lists the person's own first and says which comes
first, and the API keeps the order it is given."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.people.models import Profile
from tests.people.factories import ProfileFactory
from tests.people.test_api import bearer
from tests.people.test_profile_untouched import _save_untouched
from tests.untouched import untouched_data

pytestmark = pytest.mark.django_db
URL = reverse("profile_edit")


def form_data(client) -> dict[str, list[str]]:
    """The profile form as the browser would send it untouched (boxes in page order)."""
    return untouched_data(client, URL, URL)


@pytest.fixture
def portuguese_first(client):
    profile = ProfileFactory(languages=["pt", "en"])
    client.force_login(profile.user)
    return profile


def test_the_page_lists_the_persons_languages_first_and_names_the_first(client, portuguese_first):
    html = client.get(URL).content.decode()
    boxes = re.findall(r'type="checkbox" name="languages" value="(\w+)"', html)
    assert boxes[:2] == ["pt", "en"]
    assert re.search(r'<option value="pt" selected>Portuguese</option>', html)
    assert "most fluent first" in html


def test_an_untouched_save_keeps_the_order(client, portuguese_first):
    _save_untouched(client)
    assert Profile.objects.get(pk=portuguese_first.pk).languages == ["pt", "en"]


def test_the_most_fluent_language_goes_first(client, portuguese_first):
    data = form_data(client) | {"languages": ["pt", "en", "de"], "first_language": ["de"]}
    assert client.post(URL, data).status_code == 302
    assert Profile.objects.get(pk=portuguese_first.pk).languages == ["de", "pt", "en"]


def test_a_new_language_goes_after_the_persons_own(client, portuguese_first):
    data = form_data(client)
    data["languages"].append("de")
    assert client.post(URL, data).status_code == 302
    assert Profile.objects.get(pk=portuguese_first.pk).languages == ["pt", "en", "de"]


def test_an_unticked_first_language_is_gone_whatever_the_select_still_says(
    client, portuguese_first
):
    data = form_data(client) | {"languages": ["en"]}
    assert data["first_language"] == ["pt"]
    assert client.post(URL, data).status_code == 302
    assert Profile.objects.get(pk=portuguese_first.pk).languages == ["en"]


def test_the_api_keeps_a_new_order_of_the_same_languages(client):
    profile = ProfileFactory(languages=["en", "de"])
    response = client.patch(
        "/api/people/me",
        {"languages": ["de", "en"]},
        content_type="application/json",
        **bearer(profile.user),
    )
    assert response.status_code == 200, response.content
    assert response.json()["languages"] == ["de", "en"]
    assert Profile.objects.get(pk=profile.pk).languages == ["de", "en"]
