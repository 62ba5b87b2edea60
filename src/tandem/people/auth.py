"""API authentication: the browser session (with CSRF) or a personal bearer token."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from tandem.people.models import ApiToken

TOKEN_PREFIX_LENGTH = 8
NOT_AUTHENTICATED = "Log in, or send a personal API token as `Authorization: Bearer <token>`."
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
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """Django's session; ninja enforces CSRF for cookie auth on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
