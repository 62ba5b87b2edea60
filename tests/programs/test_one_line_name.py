"""A program's name is one line (live review: ``"line1\\r\\nline2\\r\\n😀\\u202e"`` was accepted
by the program pages and the API, and then every e-mail whose subject named the program failed
with ``BadHeaderError``). The service flattens it, as it does each enrolment question."""

from __future__ import annotations

import pytest

from tandem.programs.models import Program
from tandem.programs.services import program_create, program_update
from tests.programs.factories import program_creator
from tests.programs.test_api import Api

pytestmark = pytest.mark.django_db

PASTED = "line1\r\nline2\r\n😀\u202e"
KEPT = "line1 line2 😀"


def test_the_service_keeps_the_name_and_questions_on_one_line():
    user = program_creator()
    program = program_create(
        user=user, name=PASTED, questions={"mentee": [(f"Why?\n{PASTED}", True)]}
    )
    assert program.name == KEPT and program.slug == "line1-line2"
    assert list(program.questions.values_list("prompt", flat=True)) == [f"Why? {KEPT}"]
    program_update(user=user, program_id=program.pk, name=f"Renamed\u202e\n{PASTED}")
    assert Program.objects.get().name == f"Renamed {KEPT}"


def test_the_api_keeps_the_name_on_one_line(client):
    api = Api(client, program_creator())
    created = api.post("", {"name": PASTED})
    assert created.status_code == 201 and created.json()["name"] == KEPT
    renamed = api.patch(created.json()["slug"], {"name": f"\u2067Two\r\n{PASTED}"})
    assert renamed.status_code == 200 and renamed.json()["name"] == f"Two {KEPT}"
