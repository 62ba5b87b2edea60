"""The profile page opened and saved untouched changes nothing (found by the crawl: the form
lists languages in its own order, and saving rewrote ``['de', 'en', 'fr']`` as
``['en', 'fr', 'de']``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import Profile
from tests.crawl.html import parse_page
from tests.people.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _save_untouched(client) -> None:
    url = reverse("profile_edit")
    page = parse_page("http://testserver" + url, client.get(url).content.decode())
    (form,) = [f for f in page.forms if f.action.endswith(url)]
    response = client.post(url, dict_of_lists(form.data(form.submitters[0])))
    assert response.status_code in (200, 302)


def dict_of_lists(entries):
    data: dict[str, list[str]] = {}
    for name, value in entries:
        data.setdefault(name, []).append(value)
    return data


def test_untouched_profile_keeps_languages_in_their_stored_order(client):
    profile = ProfileFactory(languages=["de", "en", "fr"], timezone="Europe/Berlin")
    client.force_login(profile.user)
    _save_untouched(client)
    assert Profile.objects.get(pk=profile.pk).languages == ["de", "en", "fr"]


def test_profile_with_a_different_set_of_languages_is_saved_as_given(client):
    profile = ProfileFactory(languages=["de", "en", "fr"])
    client.force_login(profile.user)
    url = reverse("profile_edit")
    page = parse_page("http://testserver" + url, client.get(url).content.decode())
    (form,) = [f for f in page.forms if f.action.endswith(url)]
    data = dict_of_lists(form.data(form.submitters[0]))
    data["languages"] = ["pt", "en"]
    client.post(url, data)
    assert Profile.objects.get(pk=profile.pk).languages == ["pt", "en"]
