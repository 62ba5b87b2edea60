"""A tag that is neither curated nor suggested reads back to the person adding it as they typed
it (found by a live review: mentee003 added "Zorblaxitis recovery" to skills wanted and removed
it; mentor011 then sent "zorblaxitis RECOVERY" and their own profile showed mentee003's
spelling, telling them someone had typed that tag).

Tags are shared rows matched by slug: such a row takes the newest adder's spelling, which its
few current holders then see too. Curated and suggested tags keep the shared spelling."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import Skill
from tandem.people.selectors import SKILL_SHARED_BY, skill_search
from tandem.people.services import profile_update, skill_vocabulary_add
from tests.people.factories import ProfileFactory
from tests.people.test_api import BASE, bearer
from tests.people.test_skill_privacy import _api_names, _page_names, _patch_skills
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db

VICTIM_SPELLING = "Zorblaxitis recovery"
TYPED = "zorblaxitis RECOVERY"


@pytest.fixture
def victim():
    return ProfileFactory().user


@pytest.fixture
def attacker():
    return ProfileFactory().user


def _reads_back(client, user, side: str) -> list[str]:
    """``side`` of ``user``'s own profile, on the API and in the profile page's box."""
    names = client.get(BASE + "/me", **bearer(user)).json()[side]
    client.force_login(user)
    page = client.get(reverse("profile_edit")).content.decode()
    assert f'value="{", ".join(names)}"' in page
    return names


def test_a_tag_typed_then_removed_reads_back_as_the_newcomer_typed_it(client, victim, attacker):
    _patch_skills(client, victim, skills_wanted=[VICTIM_SPELLING])
    _patch_skills(client, victim, skills_wanted=[])

    assert _patch_skills(client, attacker, skills_wanted=[TYPED])["skills_wanted"] == [TYPED]
    assert _reads_back(client, attacker, "skills_wanted") == [TYPED]
    assert VICTIM_SPELLING not in _page_names(client, attacker, "skills_offered", "zorb")
    # Still one tag: matching and recommendations compare skills by it.
    assert Skill.objects.filter(slug="zorblaxitis-recovery").count() == 1


def test_while_the_victim_holds_it_the_newcomer_still_reads_their_own(client, victim, attacker):
    _patch_skills(client, victim, skills_wanted=[VICTIM_SPELLING])
    assert _patch_skills(client, attacker, skills_offered=[TYPED])["skills_offered"] == [TYPED]
    assert _reads_back(client, attacker, "skills_offered") == [TYPED]
    # The chosen cost: the tag's one row now reads in the newcomer's spelling for its holder
    # too (two people, below SKILL_SHARED_BY, so it is still suggested to nobody).
    assert _reads_back(client, victim, "skills_wanted") == [TYPED]
    assert victim.profile.skills_wanted.get() == attacker.profile.skills_offered.get()
    assert skill_search(prefix="zorb").count() == 0
    assert _api_names(client, attacker, "zorb") == []


def test_a_holder_retyping_their_own_tag_keeps_its_spelling(client, victim):
    _patch_skills(client, victim, skills_wanted=[VICTIM_SPELLING])
    data = _patch_skills(client, victim, skills_offered=[TYPED], skills_wanted=[TYPED])
    assert data["skills_offered"] == data["skills_wanted"] == [VICTIM_SPELLING]


def test_an_untouched_save_after_a_respelling_writes_nothing(client, victim, attacker):
    profile_update(profile=victim.profile, actor=victim, skills_wanted=[VICTIM_SPELLING])
    profile_update(profile=attacker.profile, actor=attacker, skills_wanted=[TYPED])
    tag = Skill.objects.get(slug="zorblaxitis-recovery")
    for user in (victim, attacker):
        client.force_login(user)
        with nothing_changes(user.profile, user, tag):
            submit_untouched(client, reverse("profile_edit"), reverse("profile_edit"))
    assert Skill.objects.get(pk=tag.pk).name == TYPED


def test_a_curated_tag_keeps_the_vocabulary_spelling(client, attacker):
    skill_vocabulary_add(names=["Public speaking"])
    data = _patch_skills(client, attacker, skills_offered=["PUBLIC speaking"])
    assert data["skills_offered"] == ["Public speaking"]
    assert _api_names(client, attacker, "speak") == ["Public speaking"]


def test_a_suggested_tag_keeps_its_shared_spelling(client, attacker):
    for _ in range(SKILL_SHARED_BY):
        user = ProfileFactory().user
        profile_update(profile=user.profile, actor=user, skills_wanted=["Chess openings"])
    assert _patch_skills(client, attacker, skills_wanted=["CHESS openings"])["skills_wanted"] == [
        "Chess openings"
    ]
    assert _api_names(client, attacker, "chess") == ["Chess openings"]


def test_the_holder_that_makes_a_tag_suggested_gives_it_their_spelling(client, attacker):
    """Below the threshold before the save, so the row takes the adder's spelling; the tag is
    suggested from then on, in that spelling."""
    for _ in range(SKILL_SHARED_BY - 1):
        user = ProfileFactory().user
        profile_update(profile=user.profile, actor=user, skills_wanted=["Chess openings"])
    assert _api_names(client, attacker, "chess") == []
    assert _patch_skills(client, attacker, skills_wanted=["chess OPENINGS"])["skills_wanted"] == [
        "chess OPENINGS"
    ]
    assert _api_names(client, attacker, "chess") == ["chess OPENINGS"]
