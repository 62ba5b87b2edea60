"""An upload whose body cannot be read is refused by the import's field, after the program's
access check. A live review sent ``Content-Type: multipart/form-data`` without a boundary and
got ``{"detail": "Bad Request"}`` with a MultiPartParserError traceback in the log; a header
without a boundary is now refused before everything (tests/core/test_api_multipart_syntax.py),
and a body Django cannot parse past a good header (base64 that does not decode) is this 400."""

import logging

import pytest

from tandem.core.uploads import UPLOAD_BODY_UNREADABLE, UPLOAD_MISSING
from tandem.programs.models import ImportBatch
from tests.programs.factories import ProgramFactory, admin_of, member_of

pytestmark = pytest.mark.django_db

MULTIPART = "multipart/form-data; boundary=XYZ"
BAD_BASE64 = (
    b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\n'
    b"Content-Transfer-Encoding: base64\r\nContent-Type: text/csv\r\n\r\n@@@\r\n--XYZ--\r\n"
)


def _post(client, slug, content_type, body=b"email\nx@y.org\n"):
    return client.post(f"/api/programs/{slug}/import", body, content_type=content_type)


def test_a_multipart_body_that_cannot_be_parsed_is_a_400_naming_the_file(client, caplog):
    program = ProgramFactory()
    client.force_login(admin_of(program))
    with caplog.at_level(logging.ERROR):
        response = _post(client, program.slug, MULTIPART, BAD_BASE64)
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"file": UPLOAD_BODY_UNREADABLE.format(field="file")}
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
def test_a_body_that_is_no_multipart_upload_names_the_file(client, content_type):
    program = ProgramFactory()
    client.force_login(admin_of(program))
    response = _post(client, program.slug, content_type)
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"file": UPLOAD_MISSING.format(field="file")}


@pytest.mark.parametrize(("content_type", "body"), [(MULTIPART, BAD_BASE64), ("text/csv", b"x")])
def test_the_access_check_comes_first(client, content_type, body):
    """A participant, and someone outside, get the answer of a program they cannot see."""
    program = ProgramFactory()
    for who in (member_of(program), admin_of(ProgramFactory())):
        client.force_login(who)
        refused = _post(client, program.slug, content_type, body)
        unseen = _post(client, "no-such-program", content_type, body)
        assert refused.status_code == unseen.status_code == 404, refused.content
        assert refused.json() == unseen.json()
