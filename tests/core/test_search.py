"""Searches fold the case of every letter on both databases: SQLite's LIKE folds ASCII only, so
"MARTÍNEZ" found "Martínez" on PostgreSQL and not on SQLite."""

import pytest

from tandem.people.selectors import people_search_visible_to, skill_search
from tandem.programs.models import Role
from tandem.programs.selectors import participant_list
from tests.people.factories import ProfileFactory, SkillFactory
from tests.programs.factories import ProgramFactory, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def program_with_chloe():
    program = ProgramFactory()
    searcher = ProfileFactory(user__first_name="Ana").user
    chloe = ProfileFactory(user__first_name="Chloé", user__last_name="Martínez").user
    other = ProfileFactory(user__first_name="Chloe", user__last_name="Martin").user
    for person in (searcher, chloe, other):
        enrol(person, program, role=Role.MENTEE)
    return program, searcher, chloe


@pytest.mark.parametrize("term", ["MARTÍNEZ", "martínez", "CHLOÉ", "TÍNEZ"])
def test_a_program_admin_finds_a_participant_whatever_the_case_of_an_accented_letter(
    program_with_chloe, term
):
    program, _, chloe = program_with_chloe
    assert [e.person_id for e in participant_list(program=program, search=term)] == [chloe.pk]


def test_people_search_folds_accented_capitals(program_with_chloe):
    _, searcher, chloe = program_with_chloe
    assert [p.pk for p in people_search_visible_to(viewer=searcher, query="CHLOÉ MARTÍNEZ")] == [
        chloe.pk
    ]


def test_skill_search_folds_accented_capitals_and_puts_prefixes_first():
    SkillFactory(name="Économie comportementale")
    SkillFactory(name="Macro-économie")
    assert [s["suggested_as"] for s in skill_search(prefix="ÉCONOMIE")] == [
        "Économie comportementale",
        "Macro-économie",
    ]
