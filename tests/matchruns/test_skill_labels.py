"""Matching reads each person's tags in their own spelling, and compares them by slug, as the
profiles store them (docs/people.md, *A tag's spelling*): a mentee who typed a tag first never
makes a mentor's reasons, filters or records show the mentee's spelling, and two spellings of
one tag still match."""

from __future__ import annotations

import pytest

from tandem.matchruns.adapters import participants_for_program
from tandem.matchruns.selectors import MentorFilters, mentor_recommendations, pair_reasons
from tandem.people.services import profile_update
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import ProgramFactory, mentee, mentor

pytestmark = pytest.mark.django_db

MENTEE_TYPED, MENTOR_TYPED, OTHER_TYPED = "Machine-Learning", "machine learning", "MACHINE learning"
OFFERS = "Offers machine learning, which the mentee wants to learn"


@pytest.fixture
def pair():
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    ada = mentee(program, first_name="Ada", goals="learn machine learning", languages=["en"])
    dana = mentor(program, first_name="Dana", expertise="models", languages=["en"], capacity=2)
    eve = mentor(program, first_name="Eve", expertise="models", languages=["en"], capacity=2)
    # The mentee typed the tag first: the shared row is spelled her way.
    profile_update(profile=ada.profile, actor=ada, skills_wanted=[MENTEE_TYPED])
    profile_update(profile=dana.profile, actor=dana, skills_offered=[MENTOR_TYPED])
    profile_update(profile=eve.profile, actor=eve, skills_offered=[OTHER_TYPED])
    return program, ada, dana, eve


def _texts(reasons) -> list[str]:
    return [reason["text"] for reason in reasons]


def test_records_carry_each_persons_spelling(pair):
    program, ada, dana, eve = pair
    cohort = participants_for_program(program=program)
    assert cohort.mentee(str(ada.pk)).skills_wanted == (MENTEE_TYPED,)
    assert cohort.mentor(str(dana.pk)).skills_offered == (MENTOR_TYPED,)
    assert cohort.mentor(str(eve.pk)).skills_offered == (OTHER_TYPED,)


def test_reasons_name_the_mentors_tag_as_the_mentor_typed_it(pair):
    program, ada, dana, eve = pair
    result = mentor_recommendations(user=ada, program=program)
    by_mentor = {item.mentor_id: _texts(item.reasons) for item in result.items}
    assert OFFERS in by_mentor[dana.pk]
    assert OFFERS.replace(MENTOR_TYPED, OTHER_TYPED) in by_mentor[eve.pk]
    assert OFFERS in _texts(pair_reasons(program=program, mentor_id=dana.pk, mentee_id=ada.pk))
    assert not any(MENTEE_TYPED in text for texts in by_mentor.values() for text in texts)


def test_the_skill_filter_offers_one_option_per_tag_and_matches_any_spelling(pair):
    program, ada, dana, eve = pair
    options = mentor_recommendations(user=ada, program=program).options
    assert options.skills == [MENTOR_TYPED]  # the first mentor's; one option for the tag
    for typed in (MENTEE_TYPED, "machine  LEARNING"):
        found = mentor_recommendations(
            user=ada, program=program, filters=MentorFilters(skill=typed)
        )
        assert {item.mentor_id for item in found.items} == {dana.pk, eve.pk}
        assert f"Offers {MENTOR_TYPED}, the skill you searched for" in _texts(
            next(item for item in found.items if item.mentor_id == dana.pk).reasons
        )


def test_a_filter_option_is_spelled_by_a_mentor_the_reader_is_offered():
    """The first mentor in the pool may be full or hidden from this mentee: their spelling
    would tell the mentee how someone they cannot see typed the tag."""
    import numpy as np

    from tandem.matching.records.cells import skill_slug
    from tandem.matchruns.mentor_pool import Tags

    tags = Tags.of([["ZORB recovery", "Go"], ["zorb Recovery"], []], key=skill_slug)
    assert tags.among(np.array([False, True, True])) == {"zorb Recovery"}
    assert tags.among(np.array([True, True, False])) == {"ZORB recovery", "Go"}
    assert tags.among(np.array([False, False, True])) == set()
