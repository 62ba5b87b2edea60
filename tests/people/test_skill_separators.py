"""A skill tag cannot hold a comma or semicolon (live crawl on PostgreSQL: the API stored the
tag "a,b"; the profile page shows tags in one box separated by commas and splits it at commas
and semicolons, so saving it untouched replaced the tag with "a" and "b")."""

from __future__ import annotations

import pytest

from tandem.matching.records.cells import CellError, check_skills, parse_skills
from tandem.people.models import OfferedSkill
from tandem.people.services.profiles import skill_split
from tests.people.factories import ProfileFactory
from tests.people.test_api import BASE, bearer


@pytest.mark.parametrize("tag", ["Sales, marketing", "a;b"])
def test_a_tag_with_a_separator_is_refused_by_the_record_rule(tag):
    with pytest.raises(CellError, match="separate skills"):
        check_skills([tag])


def test_the_profile_box_and_a_file_cell_still_split_at_their_separators():
    assert skill_split("Sales, marketing; SQL") == ["Sales", " marketing", " SQL"]
    assert parse_skills("Sales; SQL") == ["Sales", "SQL"]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["skills_offered", "skills_wanted"])
def test_the_api_refuses_such_a_tag_on_its_field_and_saves_nothing(client, field):
    profile = ProfileFactory(headline="Before")
    response = client.patch(
        BASE + "/me",
        data={field: ["Python", "Sales, marketing"], "headline": "After"},
        content_type="application/json",
        **bearer(profile.user),
    )
    assert response.status_code == 400, response.content
    assert "separate skills" in response.json()["fields"][field]
    profile.refresh_from_db()
    assert profile.headline == "Before"
    assert not OfferedSkill.objects.filter(profile=profile).exists()
