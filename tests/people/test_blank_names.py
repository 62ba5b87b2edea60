"""Live review: a first or last name made only of spaces was accepted and stored blank. Such a
name is refused on its field (the profile page, sign-up, the API); an emptied box still clears
the name."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.people.models import User
from tandem.people.services import profile_update
from tandem.people.services.common import NAME_ONLY_BLANKS
from tests.people.factories import ProfileFactory
from tests.people.test_api import bearer
from tests.untouched import untouched_data

pytestmark = pytest.mark.django_db

URL = reverse("profile_edit")
# Joiners alone show nothing either (live review: sign-up took "\u200d" as a first name).
BLANKS = ["   ", "\u00a0\t", "\u200b\u202e", "\u200d", "\u200c \u200d"]


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("typed", BLANKS)
def test_the_profile_page_refuses_a_name_of_blanks_on_its_field(client, field, typed):
    profile = ProfileFactory(user__first_name="Ada", user__last_name="Lovelace")
    client.force_login(profile.user)
    data = {**untouched_data(client, URL, URL), field: [typed]}
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [NAME_ONLY_BLANKS]
    profile.user.refresh_from_db()
    assert (profile.user.first_name, profile.user.last_name) == ("Ada", "Lovelace")


def test_an_emptied_name_box_still_clears_the_name(client):
    profile = ProfileFactory(user__first_name="Ada")
    client.force_login(profile.user)
    data = {**untouched_data(client, URL, URL), "first_name": [""]}
    assert client.post(URL, data).status_code == 302
    profile.user.refresh_from_db()
    assert profile.user.first_name == ""


def test_the_service_and_the_api_refuse_it_naming_the_field(client):
    profile = ProfileFactory(user__first_name="Ada")
    with pytest.raises(ApplicationError) as error:
        profile_update(profile=profile, actor=profile.user, last_name="  ")
    assert error.value.fields == {"last_name": NAME_ONLY_BLANKS}
    response = client.patch(
        "/api/people/me",
        json.dumps({"first_name": "   "}),
        content_type="application/json",
        **bearer(profile.user),
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"first_name": NAME_ONLY_BLANKS}
    profile.user.refresh_from_db()
    assert profile.user.first_name == "Ada"


@pytest.mark.parametrize("typed", BLANKS)
def test_the_api_refuses_a_name_of_blanks(client, typed):
    profile = ProfileFactory(user__first_name="Ada")
    response = client.patch(
        "/api/people/me",
        json.dumps({"first_name": typed}),
        content_type="application/json",
        **bearer(profile.user),
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"first_name": NAME_ONLY_BLANKS}
    profile.user.refresh_from_db()
    assert profile.user.first_name == "Ada"


def test_a_joiner_inside_a_name_is_kept(client):
    profile = ProfileFactory()
    profile_update(profile=profile, actor=profile.user, first_name="Mi\u200cna")
    profile.user.refresh_from_db()
    assert profile.user.first_name == "Mi\u200cna"


@pytest.mark.parametrize("typed", BLANKS)
def test_sign_up_refuses_a_name_of_blanks(client, typed):
    response = client.post(
        reverse("signup"),
        {
            "first_name": typed,
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "password": "a long pass phrase 42",
            "password_again": "a long pass phrase 42",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"] == [NAME_ONLY_BLANKS]
    assert not User.objects.filter(email="ada@example.org").exists()
