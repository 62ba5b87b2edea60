"""A password a site admin sets or turns off for someone, and an account a site admin makes,
are told to the person by email, never with the password (deployment leftovers: nothing told
them, so whoever set it could log in as them unnoticed). Not what people do themselves, nor
what sets passwords without a site admin (the demo, ``changepassword``, sign-up)."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from tandem.demo.program import DemoLogin, _ensure_logins_work
from tandem.people.admin import PERSON_EMAILED, PERSON_EMAILED_DID
from tandem.people.models import User
from tandem.people.services import (
    SITE_ADMIN_CREATED,
    SITE_ADMIN_DISABLED,
    SITE_ADMIN_SET,
    user_sign_up,
)
from tandem.people.services.passwords import SITE_ADMIN_SUBJECTS
from tests.people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 42"
SET = {"password1": NEW, "password2": NEW, "usable_password": "true"}
DISABLE = {"usable_password": "false", "unset-password": "Disable password-based authentication"}


@pytest.fixture
def site_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def _post(client, url: str, data: dict, commits):
    with commits(execute=True):
        return client.post(url, data)


def _password_page(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


@pytest.mark.parametrize(
    ("form", "change"), [(SET, SITE_ADMIN_SET), (DISABLE, SITE_ADMIN_DISABLED)]
)
def test_the_person_is_told_without_the_password(
    client, site_admin, mailoutbox, django_capture_on_commit_callbacks, form, change
):
    person = UserFactory(first_name="Ada")
    response = _post(client, _password_page(person), form, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [person.email]
    assert mail.subject == SITE_ADMIN_SUBJECTS[change]
    assert mail.body.startswith("Hello Ada,")
    assert NEW not in mail.body and PASSWORD not in mail.body
    assert "logged out everywhere" in mail.body
    if change == SITE_ADMIN_SET:
        assert "http://127.0.0.1:8000" + reverse("password_reset") in mail.body
    else:
        assert "nor reset it" in mail.body
    told = PERSON_EMAILED.format(email=person.email, did=PERSON_EMAILED_DID[change])
    assert told in [str(message) for message in get_messages(response.wsgi_request)]
    # As the admin reads it (its messages capitalise their first letter, an address's too).
    assert told in client.get(response["Location"]).content.decode()


def test_an_account_a_site_admin_makes_is_told_without_the_password(
    client, site_admin, mailoutbox, django_capture_on_commit_callbacks
):
    form = {"email": "new@example.org", "first_name": "Nia", "last_name": "U", "password1": NEW}
    response = _post(
        client, reverse("admin:people_user_add"), form, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (["new@example.org"], SITE_ADMIN_SUBJECTS[SITE_ADMIN_CREATED])
    assert NEW not in mail.body
    assert reverse("password_reset") in mail.body and reverse("login") in mail.body


@pytest.mark.parametrize(
    "form",
    [
        {"password1": NEW, "password2": NEW + "!", "usable_password": "true"},  # they differ
        {"password1": "short", "password2": "short", "usable_password": "true"},
    ],
)
def test_a_password_refused_tells_nobody(
    client, site_admin, mailoutbox, django_capture_on_commit_callbacks, form
):
    person = UserFactory()
    response = _post(client, _password_page(person), form, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert mailoutbox == []


def test_a_deactivated_account_is_not_emailed(
    client, site_admin, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(is_active=False)
    response = _post(client, _password_page(person), SET, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mailoutbox == []


def test_a_site_admins_own_password_tells_them_nothing(
    client, site_admin, mailoutbox, django_capture_on_commit_callbacks
):
    """Through the user's page and through the admin's own change-password page."""
    _post(client, _password_page(site_admin), SET, django_capture_on_commit_callbacks)
    client.force_login(site_admin)
    own = {"old_password": NEW, "new_password1": NEW + "x", "new_password2": NEW + "x"}
    response = _post(client, "/admin/password_change/", own, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mailoutbox == []


def test_a_failed_send_keeps_the_password_and_the_page_answers(
    client, site_admin, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.people.test_password_by_site_admin.BrokenBackend"
    person = UserFactory()
    response = _post(client, _password_page(person), SET, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert "SMTP is down" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP is down")


def test_passwords_set_without_a_site_admin_tell_nobody(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """The demo setting its logins' password back, ``changepassword`` and a sign-up."""
    demo = UserFactory(email="mentee@demo.example")
    other = UserFactory()
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: NEW)
    with django_capture_on_commit_callbacks(execute=True):
        _ensure_logins_work([DemoLogin("mentee", demo.email, NEW)])
        call_command("changepassword", other.email, stdout=io.StringIO())
        user_sign_up(email="joins@example.org", password=NEW, first_name="J", last_name="K")
    assert User.objects.get(pk=demo.pk).check_password(NEW)
    assert [mail.subject for mail in mailoutbox] == ["Confirm your email address for Tandem"]
    assert not any(re.search("site administrator", mail.body) for mail in mailoutbox)
