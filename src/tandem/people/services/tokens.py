"""Personal API tokens: created with a secret shown once, revoked by their owner."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone as dj_timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.text import one_line
from tandem.people.auth import TOKEN_PREFIX_LENGTH, hash_token
from tandem.people.models import ApiToken, User
from tandem.people.selectors import access_api_token
from tandem.people.services.common import TOO_LONG

TOKEN_NAME_REQUIRED = "Give the token a name so you can recognise it later."
TOKEN_LIMIT = "You have {limit} active tokens; revoke one before creating another."
MAX_ACTIVE_TOKENS = 20
TOKEN_NAME_LIMIT = 80
TOKEN_SECRET_PREFIX = "tdm_"
TOKEN_FROM_TOKEN = (
    "Create API tokens from a signed-in browser session (Account → API tokens), not with a "
    "token: a token cannot create others."
)


def api_token_create(
    *, user: User, name: str, authenticated_by_token: bool = False
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the secret, which is never stored or shown again.

    Only a signed-in person creates tokens, never a request made with a token: a leaked token
    could otherwise mint others that outlive its revocation."""
    if authenticated_by_token:
        raise ApplicationError(TOKEN_FROM_TOKEN, status=403)
    name = one_line(name)
    if not name:
        raise ApplicationError(TOKEN_NAME_REQUIRED, fields={"name": TOKEN_NAME_REQUIRED})
    if len(name) > TOKEN_NAME_LIMIT:
        message = TOO_LONG.format(limit=TOKEN_NAME_LIMIT)
        raise ApplicationError(message, fields={"name": message})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # serialise per person
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            message = TOKEN_LIMIT.format(limit=MAX_ACTIVE_TOKENS)
            raise ApplicationError(message, fields={"name": message}, status=409)
        secret = TOKEN_SECRET_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: TOKEN_PREFIX_LENGTH + 4],
            key_hash=hash_token(secret),
        )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens (idempotent); others' tokens are 404."""
    token = access_api_token(user=user, token_id=token_id, for_update=True)
    if token.revoked_at is None:
        token.revoked_at = dj_timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
