"""API authentication: the browser session (with CSRF) or a personal bearer token."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer

from tandem.core.exceptions import ApplicationError
from tandem.people.models import ApiToken

TOKEN_PREFIX_LENGTH = 8
# ``last_used_at`` is kept to this precision: a token used all day writes a few times an hour,
# not once per request (on SQLite every write waits for the database's one write lock).
LAST_USED_PRECISION = timedelta(minutes=5)
NOT_AUTHENTICATED = "Log in, or send a personal API token as `Authorization: Bearer <token>`."
CSRF_MISSING = (
    "This write came with your signed-in session, but its CSRF token is missing or does not "
    "match: send the `csrftoken` cookie's value in the `X-CSRFToken` header (from the site's own "
    "address), or authenticate with a personal API token as `Authorization: Bearer <token>`."
)
TOKEN_INVALID = (
    "This API token is not valid: it is mistyped, revoked, or its account is closed. "
    "Create a new one on your account page."
)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenAuth(HttpBearer):
    """A bearer token that is sent but not valid is a 401 at once: the request never falls
    through to the session (which would answer as someone else, or fail CSRF with a 403)."""

    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            raise AuthenticationError(message=TOKEN_INVALID)
        token_mark_used(found)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def authenticated_by_token(request: HttpRequest) -> bool:
    """Whether the request was let in by a bearer token (not by the browser session)."""
    return getattr(request, "api_token", None) is not None


def token_mark_used(token: ApiToken) -> bool:
    """Stamp ``token.last_used_at`` unless it is within ``LAST_USED_PRECISION`` of now; returns
    whether it wrote. A recent stamp costs no query; a stale one one conditional UPDATE, so of
    concurrent requests with the same token only the first writes."""
    now = timezone.now()
    cutoff = now - LAST_USED_PRECISION
    if token.last_used_at is not None and token.last_used_at >= cutoff:
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff)
    if not ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        return False
    token.last_used_at = now
    return True


class SessionAuth(APIKeyCookie):
    """Django's session; ninja enforces CSRF for cookie auth on unsafe methods."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        """Without a signed-in session there is nothing for CSRF to protect: the request is
        then refused as unauthenticated (401, like the test client sees it), not as forged
        (a 403 "CSRF check Failed" on a live server)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:  # ninja's bare "CSRF check Failed" says not what to send
            raise ApplicationError(CSRF_MISSING, status=exc.status_code) from None

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
