"""An upload whose body cannot be read is refused by the import's field, after the program's
access check. A live review sent ``Content-Type: multipart/form-data`` without a boundary and
got ``{"detail": "Bad Request"}`` with a MultiPartParserError traceback in the log."""

import logging

import pytest

from tandem.core.uploads import UPLOAD_BODY_UNREADABLE, UPLOAD_MISSING
from tandem.programs.models import ImportBatch
from tests.programs.factories import ProgramFactory, admin_of, member_of

pytestmark = pytest.mark.django_db


def _post(client, slug, content_type, body=b"email\nx@y.org\n"):
    return client.post(f"/api/programs/{slug}/import", body, content_type=content_type)


NO_BOUNDARY = "multipart/form-data"
BAD_BOUNDARY = "multipart/form-data; boundary=\x00"


@pytest.mark.parametrize("content_type", [NO_BOUNDARY, BAD_BOUNDARY])
def test_a_multipart_body_without_a_boundary_is_a_400_naming_the_file(client, caplog, content_type):
    program = ProgramFactory()
    client.force_login(admin_of(program))
    with caplog.at_level(logging.ERROR):
        response = _post(client, program.slug, content_type)
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"file": UPLOAD_BODY_UNREADABLE.format(field="file")}
    assert "boundary" in response.json()["detail"]
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
def test_a_body_that_is_no_multipart_upload_names_the_file(client, content_type):
    program = ProgramFactory()
    client.force_login(admin_of(program))
    response = _post(client, program.slug, content_type)
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"file": UPLOAD_MISSING.format(field="file")}


@pytest.mark.parametrize("content_type", [NO_BOUNDARY, "text/csv"])
def test_the_access_check_comes_first(client, content_type):
    """A participant, and someone outside, get the answer of a program they cannot see."""
    program = ProgramFactory()
    for who in (member_of(program), admin_of(ProgramFactory())):
        client.force_login(who)
        refused = _post(client, program.slug, content_type)
        unseen = _post(client, "no-such-program", content_type)
        assert refused.status_code == unseen.status_code == 404, refused.content
        assert refused.json() == unseen.json()
