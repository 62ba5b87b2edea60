"""Admin: useful lists and filters, and no per-person identity anywhere."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tandem.people.admin import UserEditForm
from tandem.people.models import ApiToken, Identity, Profile, User
from tandem.people.services import EMAIL_TOO_LONG, api_token_create, identity_set
from tests.people.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_identity_is_not_registered():
    assert Identity not in admin.site._registry
    for model_admin in admin.site._registry.values():
        for inline in getattr(model_admin, "inlines", []):
            assert inline.model is not Identity


@pytest.mark.parametrize(
    "url",
    [
        "admin:people_user_changelist",
        "admin:people_profile_changelist",
        "admin:people_skill_changelist",
        "admin:people_apitoken_changelist",
        "admin:people_user_add",
    ],
)
def test_changelists_load(staff_client, url):
    ProfileFactory()
    assert staff_client.get(reverse(url)).status_code == 200


def test_user_filters_and_search(staff_client):
    UserFactory(email="verified@example.org", email_verified_at="2026-01-01T00:00Z")
    UserFactory(email="pending@example.org")
    html = staff_client.get(reverse("admin:people_user_changelist") + "?verified=no").content
    assert b"pending@example.org" in html and b"verified@example.org" not in html
    html = staff_client.get(reverse("admin:people_user_changelist") + "?q=verified").content
    assert b"verified@example.org" in html


def test_admin_add_user_sets_username_to_email(staff_client):
    response = staff_client.post(
        reverse("admin:people_user_add"),
        {
            "email": "New@Example.org",
            "first_name": "N",
            "last_name": "U",
            "password1": "a long enough pass 1",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.username == "new@example.org"


def test_admin_refuses_an_email_longer_than_the_username_column(staff_client):
    """Issue 8 review: the email is the username too (150 characters, not 254)."""
    email = "a" * 64 + "@" + "b" * 60 + "." + "c" * 30 + ".org"  # valid, 160 characters
    response = staff_client.post(
        reverse("admin:people_user_add"),
        {"email": email, "first_name": "N", "last_name": "U", "password1": "a long pass 1!"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [EMAIL_TOO_LONG.format(limit=150)]
    assert not User.objects.filter(email=email).exists()
    user = UserFactory()
    form = UserEditForm(
        data={"email": email, "password": user.password, "date_joined": user.date_joined},
        instance=user,
    )
    assert form.errors["email"] == [EMAIL_TOO_LONG.format(limit=150)]


def test_profile_pages_show_no_identity(staff_client):
    profile = ProfileFactory()
    identity_set(user=profile.user, attributes=["Secret attribute"], consent=True)
    for url in [
        reverse("admin:people_profile_change", args=[profile.pk]),
        reverse("admin:people_user_change", args=[profile.user.pk]),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200
        assert b"Secret attribute" not in response.content


def test_profile_inline_windows_refresh_utc(staff_client):
    profile = ProfileFactory(timezone="UTC")
    url = reverse("admin:people_profile_change", args=[profile.pk])
    data = {
        "user": profile.user.pk,
        "timezone": "UTC",
        "meeting_format": "any",
        "languages": "[]",
        "working_style": "{}",
        "headline": "",
        "bio": "",
        "goals": "",
        "expertise": "",
        "department": "",
        "city": "",
        "cadence": "",
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
        "windows-0-weekday": "0",
        "windows-0-start_minute": "540",
        "windows-0-end_minute": "600",
    }
    for tags in ("offered_tags", "wanted_tags"):  # the skill inlines, left empty
        data |= {f"{tags}-TOTAL_FORMS": "0", f"{tags}-INITIAL_FORMS": "0"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Profile.objects.get(pk=profile.pk).availability_utc == [[540, 600]]


def test_token_admin_hides_hash_and_revokes_via_service(staff_client):
    token, secret = api_token_create(user=UserFactory(), name="t")
    html = staff_client.get(reverse("admin:people_apitoken_change", args=[token.pk])).content
    assert token.key_hash.encode() not in html and secret.encode() not in html
    staff_client.post(
        reverse("admin:people_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
