"""A new password cuts off whatever the old one let anyone copy (docs/people.md, *A new
password*).

Someone who sets a new password may well suspect that another person had the old one, and
that person could have opened sessions, created API tokens or copied the calendar feed's
secret address in the meantime. So a new password ends every other session (Django's session
hash changes with it), revokes every API token, and replaces the secrets that apps above
``people`` hold for the person through rotators registered here
(``register_credential_rotator``, called in their ``AppConfig.ready``): the calendar feed's
address. One transaction: the password and all of it, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone as dj_timezone

from tandem.core.exceptions import ApplicationError
from tandem.people.models import ApiToken, User

CredentialRotator = Callable[..., None]  # called as rotator(user=...)
_ROTATORS: list[CredentialRotator] = []


def register_credential_rotator(rotator: CredentialRotator) -> None:
    """An app above ``people`` replaces a secret it keeps for the person (a link that works
    without logging in) when their password changes."""
    if all(rotator is not known for known in _ROTATORS):
        _ROTATORS.append(rotator)


def user_password_set(*, user: User, password: str) -> int:
    """Set ``user``'s password and revoke what the old one may have let someone copy: every
    API token and every registered secret. Returns how many tokens were revoked.

    Every session of the person ends with it, since their session hash no longer matches; a
    caller that keeps the current one refreshes it (``update_session_auth_hash``)."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        message = " ".join(error.messages)
        raise ApplicationError(message, fields={"new_password1": message}) from None
    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        user.set_password(password)
        user.save(update_fields=["password"])  # CutOffOnNewPassword: credentials_cut_off
    return revoked


def credentials_cut_off(*, user: User) -> int:
    """Revoke every API token of ``user`` and replace every registered secret, as a new
    password does; also for a password a site admin sets (or makes unusable) in the site
    admin, which saves through Django's own form. Returns how many tokens were revoked."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=dj_timezone.now()
        )
        for rotator in _ROTATORS:
            rotator(user=user)
    return revoked


# What a site admin did to someone's account, and the subject of the email that tells them.
SITE_ADMIN_CREATED = "created"
SITE_ADMIN_SET = "set"
SITE_ADMIN_DISABLED = "disabled"
SITE_ADMIN_SUBJECTS = {
    SITE_ADMIN_CREATED: "A Tandem account was created for you",
    SITE_ADMIN_SET: "A site administrator set a new password for your Tandem account",
    SITE_ADMIN_DISABLED: "A site administrator turned off your Tandem password",
}


def password_by_site_admin_notify(*, user: User, change: str) -> bool:
    """Email ``user``, once the caller's transaction commits, that a site admin created their
    account (``SITE_ADMIN_CREATED``), set their password (``SITE_ADMIN_SET``) or turned it off
    (``SITE_ADMIN_DISABLED``) in the site admin; never the password itself.

    Nothing told them (deployment leftovers): someone who set a password could log in as the
    person unnoticed, and their calendar app and scripts stopped working with no reason given.
    Sent whatever their notification settings say, as the password-reset email is: those
    choose the program news they get, and this is about who can use their account. Not for a
    deactivated or deleted account (nobody reads it), nor for what people do themselves (a
    reset, the admin's own password page) or what sets passwords in bulk (the demo, imports).
    A failed send is logged, not raised: the password is saved either way. Returns whether
    an email is on its way."""
    if not user.is_active:
        return False
    context = {
        "user": user,
        "change": change,
        "login_url": settings.SITE_URL + reverse("login"),
        "reset_url": settings.SITE_URL + reverse("password_reset"),
    }

    def send() -> None:
        send_mail(
            subject=SITE_ADMIN_SUBJECTS[change],
            message=render_to_string("people/email/password_by_site_admin.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )

    transaction.on_commit(send, robust=True)
    return True


def password_rules_help() -> str:
    """The password rules under a new-password field, as Django lists them but without the
    validators that set no rule (``CutOffOnNewPassword``): each page says what a new password
    cuts off in its own words, once (third privacy review: the reset page said it twice, and
    told a site admin setting someone's password that it "signs you out")."""
    validators = password_validation.get_default_password_validators()
    rules = [validator for validator in validators if validator.get_help_text()]
    return password_validation.password_validators_help_text_html(rules)


class CutOffOnNewPassword:
    """Listed in ``AUTH_PASSWORD_VALIDATORS`` for Django's ``password_changed`` hook, which
    ``User.save`` calls after every ``set_password``: whatever sets the password (this module,
    the site admin's form, ``tandem manage changepassword``, a script), the cut-off follows in
    the same save. Before it, ``changepassword`` left the person's API tokens and calendar feed
    address working (second privacy review). Checks nothing about the password itself."""

    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is not None and user.pk is not None:
            credentials_cut_off(user=user)

    def get_help_text(self) -> str:
        return ""  # no rule to state (``password_rules_help`` leaves it out)
