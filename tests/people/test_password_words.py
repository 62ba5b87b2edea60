"""UX review: the pages that set a password said Django's "New password confirmation" (and
"Password confirmation") for the second field, and listed an empty rule for
``CutOffOnNewPassword``, a validator that checks nothing. The reset link's page, the site
admin's own change page and their page for someone else's password now say it alike."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.people.forms import NEW_PASSWORD_AGAIN
from tests.people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 42"


def _says_it_plainly(html: str) -> None:
    assert f"{NEW_PASSWORD_AGAIN}" in html
    assert "password confirmation" not in html.lower()
    assert re.search(r"<li>\s*</li>", html) is None
    assert "at least 8 characters" in html


def test_the_reset_links_page(client, mailoutbox):
    user = UserFactory(email="words@example.org")
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[-1].body).group(1)
    _says_it_plainly(client.get(link, follow=True).content.decode())


def test_the_site_admins_own_change_page(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:password_change")
    _says_it_plainly(client.get(url).content.decode())
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change_done")
    admin.refresh_from_db()
    assert admin.check_password(NEW)


def test_the_site_admins_page_for_someone_elses_password(client):
    user = UserFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    _says_it_plainly(client.get(url).content.decode())
