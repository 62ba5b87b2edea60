"""Issue 8 item 11: an API token's last-used stamp is written at most once per
``LAST_USED_PRECISION``, not on every request (every write on SQLite waits for the one write
lock, which a large import may hold)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.people.auth import LAST_USED_PRECISION, token_mark_used
from tandem.people.models import ApiToken
from tandem.people.services import api_token_create
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/people/me"


def token_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]]


@pytest.fixture
def token():
    token, secret = api_token_create(user=UserFactory(), name="script")
    return token, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_token_used_again_within_precision_writes_nothing(client, token):
    token, headers = token
    assert client.get(ME, **headers).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(ME, **headers).status_code == 200
    assert token_writes(queries) == []
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def test_token_used_after_precision_is_stamped_again(client, token):
    token, headers = token
    old = timezone.now() - LAST_USED_PRECISION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME, **headers).status_code == 200
    assert len(token_writes(queries)) == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old


def test_stale_copy_does_not_overwrite_a_fresh_stamp(token):
    """Two requests read the token before either stamped it: only the first writes."""
    token, _ = token
    first, second = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
    assert token_mark_used(first) is True
    stamped = ApiToken.objects.get(pk=token.pk).last_used_at
    assert token_mark_used(second) is False
    assert ApiToken.objects.get(pk=token.pk).last_used_at == stamped
