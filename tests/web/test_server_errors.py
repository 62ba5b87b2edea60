"""Issue 8, item 9, the cross-cutting cases: numbers past a database column and lone
surrogates are clear 4xx answers naming the field, never a 500 (run on PostgreSQL too, where
both were 500s)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.core.middleware import SURROGATE_NOT_ALLOWED
from tandem.programs import services as program_services
from tandem.programs.models import Invitation, Role
from tests.mentorships.factories import meeting, member, mentorship

pytestmark = pytest.mark.django_db

HUGE = 10**20


@pytest.fixture
def program_admin():
    m = mentorship()
    return m.program, member(m.program, Role.ADMIN)


def test_invitation_max_uses_past_the_column_is_a_422_in_the_api(client, program_admin):
    program, admin = program_admin
    client.force_login(admin)
    response = client.post(
        f"/api/programs/{program.slug}/invitations",
        json.dumps({"role": "mentee", "max_uses": HUGE}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "max_uses" in response.json()["fields"]
    assert not Invitation.objects.filter(program=program).exists()


def test_invitation_max_uses_past_the_column_is_a_form_error(client, program_admin):
    program, admin = program_admin
    client.force_login(admin)
    response = client.post(
        reverse("program_invitations", args=[program.slug]),
        {"role": "mentee", "max_uses": str(HUGE)},
    )
    assert response.status_code == 200
    assert "max_uses" in response.context["form"].errors
    assert not Invitation.objects.filter(program=program).exists()


def test_invitation_service_bounds_max_uses(program_admin):
    program, admin = program_admin
    with pytest.raises(ApplicationError) as error:
        program_services.invitation_create(
            user=admin, program_id=program.pk, role="mentee", max_uses=HUGE
        )
    assert error.value.fields == {"max_uses": program_services.BAD_MAX_USES}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("put", "notes", {"shared_notes": "before \ud800 after"}, "shared_notes"),
        ("put", "private-note", {"body": "\udfff"}, "body"),
        ("post", "agenda", {"text": "a\ud800"}, "text"),
    ],
)
def test_lone_surrogate_in_json_is_a_400_naming_the_field(client, method, path, body, field):
    m = mentorship()
    found = meeting(m, shared_notes="kept")
    client.force_login(m.mentor)
    raw = json.dumps(body)  # ensure_ascii: "\ud800" travels as the escape it is on the wire
    response = getattr(client, method)(
        f"/api/mentorships/meetings/{found.pk}/{path}", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": SURROGATE_NOT_ALLOWED,
        "fields": {field: SURROGATE_NOT_ALLOWED},
    }
    found.refresh_from_db()
    assert found.shared_notes == "kept" and not found.agenda_items.exists()


def test_surrogate_pair_in_json_is_fine(client):
    m = mentorship()
    found = meeting(m)
    client.force_login(m.mentor)
    response = client.put(
        f"/api/mentorships/meetings/{found.pk}/notes",
        json.dumps({"shared_notes": "great \U0001f600"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    found.refresh_from_db()
    assert found.shared_notes == "great \U0001f600"


def test_lone_surrogate_in_a_form_post_is_a_400(client):
    m = mentorship()
    found = meeting(m, shared_notes="kept")
    client.force_login(m.mentor)
    # UTF-7 decodes "+2AA-" to U+D800: the one way a form post carries a lone surrogate.
    body = (
        b'--B0uNdArY\r\nContent-Disposition: form-data; name="shared_notes"\r\n\r\n'
        b"a+2AA-b\r\n--B0uNdArY--\r\n"
    )
    response = client.generic(
        "POST",
        reverse("meeting_notes", args=[found.pk]),
        body,
        content_type="multipart/form-data; boundary=B0uNdArY; charset=utf-7",
    )
    assert response.status_code == 400
    assert SURROGATE_NOT_ALLOWED in response.content.decode()
    found.refresh_from_db()
    assert found.shared_notes == "kept"


def test_invalid_utf8_in_a_form_post_is_stored_as_replacement_not_a_500(client):
    m = mentorship()
    found = meeting(m)
    client.force_login(m.mentor)
    response = client.post(
        reverse("meeting_notes", args=[found.pk]),
        b"shared_notes=a%ED%A0%80b",  # the UTF-8-style bytes of U+D800
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.shared_notes.startswith("a") and "\ud800" not in found.shared_notes
