"""Regression (found by tests/web/test_api_schemathesis.py): ids past 64 bits are refused.

``filter(program_id=<huge>)`` skips Django's out-of-range handling, which only ``pk`` /
``<fk>__pk`` lookups get, so the database driver overflowed and the API answered 500. A path's
id is now refused before any lookup (``TextId``: a 422 naming it), a body's too (``ApiId``).
"""

import json

import pytest

from tandem.mentorships.models import MentorshipRequest
from tandem.programs.models import Role
from tests.mentorships.factories import ProgramFactory, member

pytestmark = pytest.mark.django_db

HUGE = 2**90


def test_program_mentorships_with_a_huge_program_id_is_refused(client):
    client.force_login(member(ProgramFactory(), Role.ADMIN))
    response = client.get(f"/api/mentorships/programs/{HUGE}")
    assert response.status_code == 422
    assert "path.program_id" in response.json()["fields"]


@pytest.mark.parametrize("field", ["program_id", "recipient_id"])
def test_request_with_a_huge_id_is_refused_and_writes_nothing(client, field):
    program = ProgramFactory()
    sender, mentor = member(program, Role.MENTEE), member(program, Role.MENTOR)
    client.force_login(sender)
    body = {"program_id": program.pk, "recipient_id": mentor.pk, "message": "Hello", field: HUGE}
    response = client.post(
        "/api/mentorships/requests", json.dumps(body), content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert not MentorshipRequest.objects.exists()
