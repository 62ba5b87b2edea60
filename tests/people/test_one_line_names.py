"""Names typed on one line are stored on one line with no invisible format characters: a
sign-up's names (the service kept their line breaks; only the page's input dropped them) and
an API token's name (it kept U+202E, which reverses how the rest of a line reads)."""

from __future__ import annotations

import pytest

from tandem.people import services
from tests.people.factories import PASSWORD, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASTED = "line1\r\nline2\r\n😀\u202e"
KEPT = "line1 line2 😀"


def test_sign_up_names_are_kept_on_one_line():
    user = services.user_sign_up(
        email="names@example.org", password=PASSWORD, first_name=PASTED, last_name="\u202eOK"
    )
    assert user is not None and (user.first_name, user.last_name) == (KEPT, "OK")


def test_a_token_name_keeps_no_format_characters():
    token, _secret = services.api_token_create(user=UserFactory(), name=PASTED)
    assert token.name == KEPT


def test_a_profile_keeps_its_one_line_fields_on_one_line_without_format_characters():
    """Headline, department and city are read by other people: U+202E in them would reverse
    how the rest of the line reads on their pages."""
    profile = ProfileFactory()
    person = profile.user
    services.profile_update(
        profile=profile,
        actor=person,
        first_name=PASTED,
        headline=PASTED,
        department=PASTED,
        city=PASTED,
    )
    person.refresh_from_db()
    person.profile.refresh_from_db()
    shown = (person.first_name, person.profile.headline, person.profile.department)
    assert shown + (person.profile.city,) == (KEPT,) * 4
