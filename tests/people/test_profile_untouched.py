"""The profile page opened and saved untouched changes nothing (found by the crawl: the form
lists languages in its own order, and saving rewrote ``['de', 'en', 'fr']`` as
``['en', 'fr', 'de']``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import AvailabilityWindow, Profile
from tandem.people.services import profile_set_availability, profile_update
from tandem.people.views.profiles import PROFILE_SAVED, PROFILE_UNCHANGED
from tests.people.factories import ProfileFactory
from tests.untouched import nothing_changes, submit_untouched, untouched_data

pytestmark = pytest.mark.django_db


URL = reverse("profile_edit")


def _save_untouched(client) -> str:
    """The page the untouched save leads to."""
    response = submit_untouched(client, URL, URL)
    assert response.status_code == 200
    return response.content.decode()


def test_untouched_profile_keeps_languages_in_their_stored_order(client):
    profile = ProfileFactory(languages=["de", "en", "fr"], timezone="Europe/Berlin")
    client.force_login(profile.user)
    _save_untouched(client)
    assert Profile.objects.get(pk=profile.pk).languages == ["de", "en", "fr"]


def test_profile_with_a_different_set_of_languages_is_saved_as_given(client):
    profile = ProfileFactory(languages=["de", "en", "fr"])
    client.force_login(profile.user)
    data = untouched_data(client, URL, URL)
    data["languages"] = ["pt", "en"]
    response = client.post(URL, data, follow=True)
    assert Profile.objects.get(pk=profile.pk).languages == ["pt", "en"]
    assert PROFILE_SAVED in response.content.decode()


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


def test_untouched_profile_writes_nothing(client):
    """Not the profile's row (its ``updated_at`` moved on every save), nor the account's, and
    nobody is told anything."""
    profile = ProfileFactory(timezone="Europe/Berlin", languages=["de", "en"])
    profile_update(
        profile=profile,
        actor=profile.user,
        bio="Ten years of\nbackend work.",
        goals="Lead a team. Ship the API.",
        expertise="Databases",
        skills_offered=["Python", "SQL"],
        skills_wanted=["Public speaking"],
        city="Berlin",
        availability=["Mon 09:00-12:00"],
        working_style={"structure": 4},
    )
    client.force_login(profile.user)
    with nothing_changes(profile, profile.user):
        page = _save_untouched(client)
    assert PROFILE_UNCHANGED in page and PROFILE_SAVED not in page


def test_a_changed_skill_alone_stamps_the_profile():
    """The match runs' mentor pool knows a mentor's profile changed by its ``updated_at``."""
    profile = ProfileFactory()
    profile_update(profile=profile, actor=profile.user, skills_offered=["Python"])
    before = Profile.objects.get(pk=profile.pk).updated_at
    _, changed = profile_update(
        profile=profile, actor=profile.user, skills_offered=["Python", "Go"]
    )
    assert changed and Profile.objects.get(pk=profile.pk).updated_at > before
    _, changed = profile_update(
        profile=profile, actor=profile.user, skills_offered=["Go", "Python"]
    )
    assert not changed
