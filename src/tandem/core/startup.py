"""Checks that stop a server or worker from starting in a state it must not serve in."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MISSING = (
    "SECRET_KEY is not set, and Tandem will not serve without it: it signs sessions, password "
    "reset and confirmation links. Set the SECRET_KEY environment variable to a long random "
    "string, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
    "(`tandem run`, the local demo, makes one for you in var/secret_key; DEBUG=true uses a "
    "throwaway key.)"
)


def require_secret_key() -> None:
    """Raise ``ImproperlyConfigured`` with :data:`SECRET_KEY_MISSING` when there is no key."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        key = ""
    if not key:
        raise ImproperlyConfigured(SECRET_KEY_MISSING)
