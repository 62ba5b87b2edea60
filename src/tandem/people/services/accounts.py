"""Accounts: sign-up, and verifying the email address."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone as dj_timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.text import one_line
from tandem.matching.records.timezones import timezone_names
from tandem.people.models import Profile, User
from tandem.people.services.common import NAME_ONLY_BLANKS, TOO_LONG, blank_name

EMAIL_INVALID = "Enter a valid email address, like name@example.org."
EMAIL_TOO_LONG = "Use an email address of at most {limit} characters."
VERIFY_TOKEN_INVALID = (
    "This verification link is not valid. Request a new one from your account page."
)
VERIFY_TOKEN_EXPIRED = (
    "This verification link has expired. Request a new one from your account page."
)
VERIFY_SALT = "tandem.people.verify-email"
VERIFY_MAX_AGE = getattr(settings, "EMAIL_VERIFY_MAX_AGE_SECONDS", 3 * 24 * 3600)
# An account's email is also its username (Django's column: 150 characters, not the 254 an
# email may have); its first and last names are 150 each. Longer values are a field error,
# never a database error.
ACCOUNT_EMAIL_MAX_LENGTH = cast(int, User._meta.get_field("username").max_length)
NAME_MAX_LENGTH = cast(int, User._meta.get_field("first_name").max_length)


def user_sign_up(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    timezone: str = "",
    next_path: str = "",
) -> User | None:
    """Create an account (and its profile) and email a verification link on commit.

    When the email already has an account nothing changes: its owner is emailed a note instead
    and ``None`` is returned. Callers answer the same either way (with the same hashing work),
    so sign-up reveals no accounts. ``timezone`` is a hint (the browser's zone); an unknown
    value is ignored, not an error. ``next_path``, a path of this site the person signed up
    from (an invitation link's join page), rides along in the email's link, so confirming the
    address leads back there; anything but a path is dropped.
    """
    next_path = _site_path(next_path)
    email = (email or "").strip().lower()
    _check_sign_up(email=email, password=password, first_name=first_name, last_name=last_name)
    first_name, last_name = one_line(first_name), one_line(last_name)
    if not User.objects.filter(email__iexact=email).exists():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, first_name=first_name, last_name=last_name
                )
                Profile.objects.create(user=user, timezone=_timezone_or_utc(timezone))
        except IntegrityError:  # a concurrent sign-up won the unique email
            pass
        else:
            transaction.on_commit(lambda: _send_verification_email(user, next_path=next_path))
            return user
    make_password(password)  # the work creating an account would have cost
    existing = User.objects.filter(email__iexact=email, is_active=True).first()
    if existing is not None:
        transaction.on_commit(lambda: _send_account_exists_email(existing, next_path=next_path))
    return None


def _check_sign_up(*, email: str, password: str, first_name: str, last_name: str) -> None:
    """Raise with a message per field a sign-up cannot have (all of them at once); the names
    as typed."""
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = EMAIL_INVALID
    if len(email) > ACCOUNT_EMAIL_MAX_LENGTH:
        errors["email"] = EMAIL_TOO_LONG.format(limit=ACCOUNT_EMAIL_MAX_LENGTH)
    for field, typed in (("first_name", first_name), ("last_name", last_name)):
        if blank_name(typed):
            errors[field] = NAME_ONLY_BLANKS
        elif len(one_line(typed)) > NAME_MAX_LENGTH:
            errors[field] = TOO_LONG.format(limit=NAME_MAX_LENGTH)
    candidate = User(
        email=email, username=email, first_name=one_line(first_name), last_name=one_line(last_name)
    )
    try:
        password_validation.validate_password(password or "", user=candidate)
    except ValidationError as error:
        errors["password"] = " ".join(error.messages)
    if errors:
        raise ApplicationError("Please correct the errors below.", fields=errors)


def _site_path(value: str) -> str:
    """``value`` if it is a path of this site (``/programs/join/…``), else empty: never a
    scheme, a host or ``//host``, so a link built from it cannot lead elsewhere."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc:
        return ""
    return value


def _with_next(url: str, next_path: str) -> str:
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def _send_account_exists_email(user: User, *, next_path: str = "") -> None:
    context = {
        "user": user,
        "login_url": _with_next(settings.SITE_URL + reverse("login"), next_path),
        "reset_url": settings.SITE_URL + reverse("password_reset"),
    }
    send_mail(
        subject="You already have a Tandem account",
        message=render_to_string("people/email/account_exists.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def _timezone_or_utc(value: str) -> str:
    value = (value or "").strip()
    return value if value in timezone_names() else "UTC"


def user_verification_token(*, user: User) -> str:
    """A signed, timestamped token naming the account and the email it verifies."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT, compress=True)


def user_verification_url(*, user: User, next_path: str = "") -> str:
    """The confirmation link; with ``next_path`` (a path of this site) the confirmed page's
    *Continue* leads there, through the log-in when needed."""
    url = settings.SITE_URL + reverse("verify_email", args=[user_verification_token(user=user)])
    return _with_next(url, _site_path(next_path))


def _send_verification_email(user: User, *, next_path: str = "") -> None:
    context = {
        "user": user,
        "verify_url": user_verification_url(user=user, next_path=next_path),
        "max_age_days": VERIFY_MAX_AGE // 86400,
    }
    send_mail(
        subject="Confirm your email address for Tandem",
        message=render_to_string("people/email/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def user_mark_email_verified(*, user: User) -> User:
    """For flows that prove control of the address another way (a used password-reset link)."""
    if user.email_verified_at is None:
        user.email_verified_at = dj_timezone.now()
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=user.email_verified_at
        )
    return user


def user_send_verification(*, user: User) -> None:
    """Send (again) the verification link, unless the address is already verified."""
    if user.email_verified_at is None:
        transaction.on_commit(lambda: _send_verification_email(user))


@transaction.atomic
def user_verify_email(*, token: str, max_age: int | None = None) -> User:
    """Mark the address in ``token`` verified. Idempotent; tampered, expired or stale (email
    changed since) tokens raise ``ApplicationError``."""
    try:
        data = signing.loads(
            token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE if max_age is None else max_age
        )
    except signing.SignatureExpired:
        raise ApplicationError(VERIFY_TOKEN_EXPIRED) from None
    except signing.BadSignature:
        raise ApplicationError(VERIFY_TOKEN_INVALID) from None
    user = (
        User.objects.select_for_update()
        .filter(pk=data.get("u"), email=data.get("e"), is_active=True)
        .first()
    )
    if user is None:
        raise ApplicationError(VERIFY_TOKEN_INVALID)
    if user.email_verified_at is None:
        user.email_verified_at = dj_timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user
