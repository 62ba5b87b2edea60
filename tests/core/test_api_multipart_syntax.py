"""Every API request whose multipart body cannot be parsed (no boundary, or an invalid one) is
one JSON 400 saying so, with no traceback in the log, however the caller signs in. A live review
sent ``Content-Type: multipart/form-data`` alone with a browser session: ninja's CSRF check read
``request.POST`` before the operation and answered ``{"detail": "Bad Request"}``, logging a
MultiPartParserError (the bearer-token path was fixed in ``core.uploads``)."""

import logging

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client

from tandem.core.middleware import MULTIPART_UNREADABLE
from tandem.people.services import api_token_create
from tandem.programs.models import ImportBatch
from tests.programs.factories import ProgramFactory, admin_of, member_of

pytestmark = pytest.mark.django_db

MALFORMED = ["multipart/form-data", "multipart/form-data; boundary=\x00"]


def _session(user) -> tuple[Client, dict]:
    """A browser's session with its CSRF cookie and header, as the page's script sends."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    secret = "a" * CSRF_SECRET_LENGTH
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return client, {"HTTP_X_CSRFTOKEN": secret}


def _token(user) -> tuple[Client, dict]:
    _, secret = api_token_create(user=user, name="upload")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("content_type", MALFORMED)
@pytest.mark.parametrize("signed_in", [_session, _token])
@pytest.mark.parametrize("who", [admin_of, member_of])
def test_a_malformed_multipart_body_is_a_json_400_whoever_sends_it(
    caplog, content_type, signed_in, who
):
    """Before the permission check: a syntax error of the request reveals nothing, so the
    program's admin and a participant (who would get a 404) get the same answer."""
    program = ProgramFactory()
    client, headers = signed_in(who(program))
    with caplog.at_level(logging.WARNING):
        response = client.post(
            f"/api/programs/{program.slug}/import",
            b"email\nx@y.org\n",
            content_type=content_type,
            **headers,
        )
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": MULTIPART_UNREADABLE, "fields": {}}
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"
    assert not ImportBatch.objects.exists()
