"""A new password cuts off what the old one could have let someone copy: other sessions, API
tokens and the calendar feed's address (leftovers review: a reset left them all working)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import CalendarFeed
from tandem.mentorships.services import calendar_feed_ensure
from tandem.people.models import ApiToken
from tandem.people.services import api_token_create, passwords, user_password_set
from tests.people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 42"


def _reset_password(client: Client, email: str, mailoutbox) -> None:
    client.post(reverse("password_reset"), {"email": email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[-1].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    page = client.get(set_url)
    assert "every API token you made is revoked" in page.content.decode()
    response = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert response["Location"] == reverse("password_reset_complete")


def test_a_reset_ends_other_sessions_revokes_tokens_and_replaces_the_feed(client, mailoutbox):
    user = UserFactory(email="a@example.org")
    other_session = Client()
    other_session.force_login(user)
    _, secret = api_token_create(user=user, name="script")
    old_feed = reverse("calendar_feed", args=[calendar_feed_ensure(user=user).token])
    assert Client().get(old_feed).status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/people/me").status_code == 200

    _reset_password(client, user.email, mailoutbox)

    assert other_session.get(reverse("account"))["Location"].startswith(reverse("login"))
    assert api.get("/api/people/me").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert Client().get(old_feed).status_code == 404
    new_feed = reverse("calendar_feed", args=[CalendarFeed.objects.get(user=user).token])
    assert new_feed != old_feed
    assert Client().get(new_feed).status_code == 200
    done = client.get(reverse("password_reset_complete")).content.decode()
    assert "your calendar feed has a new address" in done


def test_a_person_without_a_feed_gets_none_and_a_bad_password_changes_nothing():
    user = UserFactory()
    api_token_create(user=user, name="script")
    with pytest.raises(ApplicationError):
        user_password_set(user=user, password="short")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1

    assert user_password_set(user=user, password=NEW) == 1
    assert user.check_password(NEW)
    assert not CalendarFeed.objects.filter(user=user).exists()


def test_the_account_and_calendar_pages_say_what_a_new_password_does(client):
    client.force_login(UserFactory())
    account = client.get(reverse("account")).content.decode()
    assert "Changing your password revokes every token." in account
    calendar = client.get(reverse("calendar_settings")).content.decode()
    assert "Changing your password makes a new one too" in calendar


def test_a_password_a_site_admin_sets_cuts_off_the_same(client):
    """The site admin's password form (Django's own) saved the password alone (leftovers
    review): the person's tokens and feed address kept working."""
    user = UserFactory()
    api_token_create(user=user, name="script")
    old_feed = calendar_feed_ensure(user=user).token
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert CalendarFeed.objects.get(user=user).token != old_feed


def test_a_site_admins_password_is_not_kept_when_the_cut_off_fails(client, monkeypatch):
    """The password and the cut-off are one transaction (review): a rotator that fails leaves
    the old password, not a new one with the old tokens still working."""

    def broken(*, user):
        raise RuntimeError("the feed could not be replaced")

    monkeypatch.setattr(passwords, "_ROTATORS", [broken])
    user = UserFactory()
    client.raise_request_exception = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_password_set_by_changepassword_cuts_off_the_same(monkeypatch):
    """``tandem manage changepassword`` (Django's own command) saved the password alone
    (second privacy review, live on PostgreSQL: the stolen token still answered 200 and the
    old feed address still served the meetings); any ``set_password`` and save now cuts off
    through ``CutOffOnNewPassword``."""
    user = UserFactory()
    _, secret = api_token_create(user=user, name="script")
    old_feed = calendar_feed_ensure(user=user).token
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: NEW)
    call_command("changepassword", user.email, stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/people/me").status_code == 401
    assert CalendarFeed.objects.get(user=user).token != old_feed
    assert Client().get(reverse("calendar_feed", args=[old_feed])).status_code == 404


def test_a_new_account_with_a_password_has_nothing_to_cut_off():
    """The hook runs on every save after ``set_password``, new accounts included: it makes
    them no feed and revokes nothing."""
    user = UserFactory()
    assert not CalendarFeed.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()


def _count_cut_offs(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(passwords, "_ROTATORS", [lambda *, user: calls.append(user.pk)])
    return calls


@pytest.mark.parametrize(
    "form",
    [
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
        {"usable_password": "false", "unset-password": "Disable password-based authentication"},
    ],
)
def test_a_site_admin_cuts_off_once(client, monkeypatch, form):
    """A password a site admin set was cut off twice (third privacy review): by the
    ``password_changed`` hook and again by the form, so the feed's address changed twice.
    An unusable password, which Django saves without the hook, is cut off once too."""
    calls = _count_cut_offs(monkeypatch)
    user = UserFactory()
    _, secret = api_token_create(user=user, name="script")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]), form)
    assert response["Location"] == reverse("admin:people_user_change", args=[user.pk])
    assert calls == [user.pk]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/people/me").status_code == 401


def test_the_password_pages_say_what_a_new_password_cuts_off_once(client, mailoutbox):
    """The reset page said it twice (its own words, then the password rules': the validator's
    help text) and the site admin's form told the admin that it "signs you out"."""
    user = UserFactory(email="once@example.org")
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[-1].body).group(1)
    page = client.get(link, follow=True).content.decode()
    assert page.count("calendar feed") == 1
    assert "at least 8 characters" in page
    assert "<li></li>" not in page
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = client.get(reverse("admin:auth_user_password_change", args=[user.pk]))
    text = form.content.decode()
    assert "signs you out" not in text
    assert "Saving signs this person out everywhere" in text
    assert "<li></li>" not in text
