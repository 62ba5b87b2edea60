"""The profile page opened and saved untouched changes nothing (found by the crawl: the form
lists languages in its own order, and saving rewrote ``['de', 'en', 'fr']`` as
``['en', 'fr', 'de']``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import AvailabilityWindow, Profile
from tandem.people.services import profile_set_availability
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


def test_untouched_profile_keeps_its_availability_rows(client):
    """Saving unchanged deleted and re-created every window with the same values."""
    profile = ProfileFactory(timezone="Europe/Berlin")
    client.force_login(profile.user)
    profile_set_availability(
        profile=profile, actor=profile.user, windows=["Mon 09:00-12:00", "Thu 18:00-20:00"]
    )
    before = list(AvailabilityWindow.objects.filter(profile=profile).values_list("pk", flat=True))
    _save_untouched(client)
    after = list(AvailabilityWindow.objects.filter(profile=profile).values_list("pk", flat=True))
    assert len(before) == 2 and after == before


def test_changed_availability_replaces_the_rows(client):
    profile = ProfileFactory()
    profile_set_availability(profile=profile, actor=profile.user, windows=["Mon 09:00-12:00"])
    profile_set_availability(profile=profile, actor=profile.user, windows=["Tue 09:00-11:00"])
    stored = AvailabilityWindow.objects.filter(profile=profile)
    assert list(stored.values_list("weekday", "start_minute", "end_minute")) == [(1, 540, 660)]
