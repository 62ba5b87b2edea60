"""A skill one person typed is not suggested to anyone else (found by a privacy review on
PostgreSQL: mentor003 saved "Zqx Alcohol Recovery Support" as a skill wanted, removed it, and
mentee050, in another program, still got it from the API and the profile page's suggestions).

Suggestions offer the curated vocabulary and tags ``SKILL_SHARED_BY`` people hold right now."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tandem.people.models import Skill
from tandem.people.selectors import SKILL_SHARED_BY, skill_labels, skill_search
from tandem.people.services import profile_update, skill_vocabulary_add
from tandem.people.views.profiles import SKILL_SUGGESTIONS
from tests.people.factories import ProfileFactory, UserFactory
from tests.people.test_api import BASE, bearer
from tests.programs.factories import ProgramFactory, enrol
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db

PRIVATE = "Zqx Alcohol Recovery Support"


def _api_names(client, user, q: str) -> list[str]:
    response = client.get(BASE + "/skills", {"q": q}, **bearer(user))
    assert response.status_code == 200
    return [item["name"] for item in response.json()["items"]]


def _page_names(client, user, field: str, text: str) -> list[str]:
    """The labels of the profile page's ``<option>`` suggestions for ``text`` typed in ``field``."""
    client.force_login(user)
    response = client.get(reverse("skill_suggest"), {"field": field, field: text})
    assert response.status_code == 200
    return [option["label"] for option in response.context["options"]]


def _patch_skills(client, user, **skills: list[str]) -> dict:
    response = client.patch(
        BASE + "/me", data=skills, content_type="application/json", **bearer(user)
    )
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def review():
    """The review's people: the owner, a peer in his program and a mentee in another."""
    program, other_program = ProgramFactory(), ProgramFactory()
    owner, peer, stranger = (ProfileFactory().user for _ in range(3))
    enrol(owner, program, "mentor")
    enrol(peer, program, "mentee")
    enrol(stranger, other_program, "mentee")
    return owner, peer, stranger


def _finds_nothing(client, *users) -> None:
    for user in users:
        assert _api_names(client, user, "zqx") == []
        assert _api_names(client, user, "") == []
        for field in ("skills_wanted", "skills_offered"):
            assert _page_names(client, user, field, "zqx") == []


def test_a_tag_one_person_typed_is_suggested_to_nobody_while_held_or_after(client, review):
    owner, peer, stranger = review
    assert _patch_skills(client, owner, skills_wanted=[PRIVATE])["skills_wanted"] == [PRIVATE]
    _finds_nothing(client, peer, stranger)

    _patch_skills(client, owner, skills_wanted=[])
    _finds_nothing(client, owner, peer, stranger)


def test_the_owner_still_sees_and_keeps_their_tag(client, review):
    owner, peer, _ = review
    _patch_skills(client, owner, skills_wanted=[PRIVATE])
    _patch_skills(client, owner, city="Lisbon")
    assert client.get(BASE + "/me", **bearer(owner)).json()["skills_wanted"] == [PRIVATE]
    client.force_login(owner)
    page = client.get(reverse("profile_edit")).content.decode()
    assert f'value="{PRIVATE}"' in page
    # Typed again by its owner in another case, it is the same tag, read back as typed this
    # time, and still theirs alone.
    data = _patch_skills(client, owner, skills_offered=[PRIVATE.lower()])
    assert data["skills_offered"] == [PRIVATE.lower()]
    assert data["skills_wanted"] == [PRIVATE]
    _finds_nothing(client, peer)


def test_an_untouched_save_writes_nothing_and_shares_nothing(client, review):
    owner, peer, _ = review
    profile_update(profile=owner.profile, actor=owner, skills_wanted=[PRIVATE])
    client.force_login(owner)
    tag = Skill.objects.get(name=PRIVATE)
    with nothing_changes(owner.profile, owner, tag):
        submit_untouched(client, reverse("profile_edit"), reverse("profile_edit"))
    assert not Skill.objects.get(pk=tag.pk).curated
    _finds_nothing(client, peer)


def test_a_tag_enough_people_hold_is_suggested_and_stops_when_they_drop_it(client, review):
    _, _, stranger = review
    holders = [ProfileFactory().user for _ in range(SKILL_SHARED_BY)]
    # One person holding it on both sides counts once.
    profile_update(
        profile=holders[0].profile,
        actor=holders[0],
        skills_offered=["Chess openings"],
        skills_wanted=["chess  OPENINGS"],
    )
    for user in holders[1:-1]:
        profile_update(profile=user.profile, actor=user, skills_wanted=["Chess openings"])
    assert _api_names(client, stranger, "chess") == []

    profile_update(
        profile=holders[-1].profile, actor=holders[-1], skills_offered=["chess openings"]
    )
    # Spelled from its slug: the row's "Chess openings" is one holder's spelling.
    assert _api_names(client, stranger, "chess") == ["chess openings"]
    assert _page_names(client, stranger, "skills_wanted", "Go, che") == ["chess openings"]

    profile_update(
        profile=holders[0].profile, actor=holders[0], skills_offered=[], skills_wanted=[]
    )
    assert _api_names(client, stranger, "chess") == []


def test_the_curated_vocabulary_is_suggested_though_nobody_holds_it(client, review):
    _, peer, _ = review
    skills = skill_vocabulary_add(names=["Public speaking", "public SPEAKING", "Negotiation"])
    assert [s.name for s in skills] == ["Public speaking", "Negotiation"]
    assert all(Skill.objects.get(pk=s.pk).curated for s in skills)
    assert _api_names(client, peer, "") == ["Negotiation", "Public speaking"]
    assert _page_names(client, peer, "skills_offered", "speak") == ["Public speaking"]


def test_curating_a_typed_tag_shares_it(client, review):
    owner, peer, _ = review
    profile_update(profile=owner.profile, actor=owner, skills_wanted=["Mentoring juniors"])
    assert skill_search(prefix="mentoring").count() == 0
    skill_vocabulary_add(names=["mentoring JUNIORS"])
    # In the curator's spelling, not the owner's: curating publishes no one's typing.
    assert _api_names(client, peer, "ment") == ["mentoring JUNIORS"]
    assert skill_labels(owner.profile, "skills_wanted") == ["Mentoring juniors"]


def test_a_site_admin_adds_a_curated_tag(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_skill"))
    client.force_login(staff)
    page = client.get(reverse("admin:people_skill_add"))
    assert page.context["adminform"].form.initial["curated"] is True
    response = client.post(
        reverse("admin:people_skill_add"),
        {"name": "Coaching", "slug": "coaching", "curated": "on"},
    )
    assert response.status_code == 302
    assert [s["suggested_as"] for s in skill_search(prefix="coach")] == ["Coaching"]


def test_suggestions_take_a_bounded_number_of_queries(client, review, django_assert_num_queries):
    _, peer, _ = review
    skill_vocabulary_add(names=[f"Skill {i:02d}" for i in range(30)])
    for user in (ProfileFactory().user for _ in range(SKILL_SHARED_BY)):
        profile_update(profile=user.profile, actor=user, skills_wanted=["Skill typed"])
    client.force_login(peer)
    with django_assert_num_queries(4):  # session, user, their profile, the suggestions
        response = client.get(
            reverse("skill_suggest"), {"field": "skills_wanted", "skills_wanted": "skill"}
        )
    labels = [option["label"] for option in response.context["options"]]
    assert labels == [f"Skill {i:02d}" for i in range(SKILL_SUGGESTIONS)]
