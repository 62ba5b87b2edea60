"""A skill one person typed is not suggested to anyone else (found by a privacy review on
PostgreSQL: mentor003 saved "Zqx Alcohol Recovery Support" as a skill wanted, removed it, and
mentee050, in another program, still got it from the API and the profile page's suggestions).

Suggestions offer the curated vocabulary only: a later review held a guessed private tag with
two sign-ups and read off, from whether it was then suggested, that someone else held it (the
rule was "at least 3 people hold it", and accounts one person controls count)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tandem.people.models import Skill
from tandem.people.selectors import skill_labels, skill_search
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


def test_a_typed_tag_is_not_suggested_however_many_people_hold_it(client, review):
    """The sybil probe: the victim and the prober's own accounts hold a guessed tag; nothing
    a stranger (or the prober) can read changes with the victim's holding it."""
    owner, _, stranger = review
    socks = [ProfileFactory().user for _ in range(5)]
    for user in [owner, *socks]:
        profile_update(profile=user.profile, actor=user, skills_wanted=[PRIVATE])
    for reader in (stranger, socks[0]):
        assert _api_names(client, reader, "zqx") == []
        assert _page_names(client, reader, "skills_wanted", "Go, zqx") == []


def test_the_skill_admin_counts_holders_so_typed_tags_can_be_curated(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_skill"))
    for user in (ProfileFactory().user for _ in range(3)):
        profile_update(profile=user.profile, actor=user, skills_wanted=["Chess openings"])
    client.force_login(staff)
    page = client.get(reverse("admin:people_skill_changelist"), {"o": "-5"})
    assert page.status_code == 200
    row = next(r for r in page.context["cl"].result_list if r.slug == "chess-openings")
    assert (row.offered_count, row.wanted_count) == (0, 3)
    Skill.objects.filter(pk=row.pk).update(curated=True)
    assert _api_names(client, UserFactory(), "chess") == ["Chess openings"]


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
    for user in (ProfileFactory().user for _ in range(3)):
        profile_update(profile=user.profile, actor=user, skills_wanted=["Skill typed"])
    client.force_login(peer)
    with django_assert_num_queries(4):  # session, user, their profile, the suggestions
        response = client.get(
            reverse("skill_suggest"), {"field": "skills_wanted", "skills_wanted": "skill"}
        )
    labels = [option["label"] for option in response.context["options"]]
    assert labels == [f"Skill {i:02d}" for i in range(SKILL_SUGGESTIONS)]
