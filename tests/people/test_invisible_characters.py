"""Live review on PostgreSQL: skill labels sent through ``PATCH /api/people/me`` and identity
attributes kept bidi overrides, zero-width spaces, BOMs and soft hyphens, because the
participant record had its own weaker ``one_line``. One rule now reads them all
(``tandem.matching.records.cells.one_line``, which ``tandem.core.text`` re-exports)."""

from __future__ import annotations

import json

import pytest

from tandem.core import text
from tandem.matching.records import cells
from tandem.people.models import Identity, OfferedSkill, WantedSkill
from tests.people.factories import ProfileFactory
from tests.people.test_api import BASE, bearer
from tests.programs.factories import ProgramFactory, enrol

pytestmark = pytest.mark.django_db

INVISIBLE = "\u202e\u200b\ufeff\u00ad"


def test_one_implementation():
    assert text.one_line is cells.one_line
    assert cells.one_line(f" a{INVISIBLE}\u200d\u200cb \n c ") == "a\u200d\u200cb c"


def test_api_skill_labels_keep_no_invisible_character(client):
    user = ProfileFactory().user
    enrol(user, ProgramFactory(), "mentor")
    body = {"skills_offered": [f"Py\u202ethon{INVISIBLE}"], "skills_wanted": ["\ufeffS\u00adQL"]}
    response = client.patch(
        BASE + "/me", json.dumps(body), content_type="application/json", **bearer(user)
    )
    assert response.status_code == 200, response.content
    assert response.json()["skills_offered"] == ["Python"]
    assert response.json()["skills_wanted"] == ["SQL"]
    assert OfferedSkill.objects.get(profile=user.profile).label == "Python"
    assert WantedSkill.objects.get(profile=user.profile).label == "SQL"


def test_api_identity_attributes_keep_no_invisible_character(client):
    user = ProfileFactory().user
    body = {"attributes": [f"first\u200b {INVISIBLE}generation"], "consent": True}
    response = client.put(
        BASE + "/me/identity", body, content_type="application/json", **bearer(user)
    )
    assert response.status_code == 200, response.content
    assert Identity.objects.get(user=user).attributes == ["first generation"]
