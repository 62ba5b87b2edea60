"""Each holder reads a tag in their own spelling (live review: mentor011 sent "zorblaxitis
RECOVERY" and read back "Zorblaxitis recovery", the spelling of someone who had typed it
first, so learned that someone had; docs/people.md, *A tag's spelling*).

The shared ``Skill`` row keeps the slug (one tag whatever the case) and its first spelling;
every reader of a person's skills reads that person's ``label``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import OfferedSkill, Skill, WantedSkill
from tandem.people.selectors import profile_queryset, skill_labels
from tandem.people.services import profile_update, skill_vocabulary_add
from tests.people.factories import ProfileFactory
from tests.people.test_api import BASE, bearer
from tests.people.test_skill_privacy import _api_names, _page_names
from tests.programs.factories import ProgramFactory, enrol
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db

FIRST, LATER, THIRD = "Zorblaxitis recovery", "zorblaxitis RECOVERY", "ZORBLAXITIS Recovery"


@pytest.fixture
def people():
    """A typed the tag first, B later in another case; C reads both (one program)."""
    program = ProgramFactory()
    a, b, c = (ProfileFactory().user for _ in range(3))
    enrol(a, program, "mentee")
    enrol(b, program, "mentor")
    enrol(c, program, "mentee")
    profile_update(profile=a.profile, actor=a, skills_wanted=[FIRST, "Chess"])
    profile_update(profile=b.profile, actor=b, skills_offered=[LATER])
    return a, b, c


def _api_skills(client, reader, person) -> dict:
    path = "/me" if reader == person else f"/{person.pk}"
    data = client.get(BASE + path, **bearer(reader)).json()
    return {"offered": data["skills_offered"], "wanted": data["skills_wanted"]}


def _page_badges(client, reader, person) -> str:
    client.force_login(reader)
    return client.get(reverse("profile_detail", args=[person.pk])).content.decode()


def test_one_tag_one_row_each_holder_their_spelling(people):
    a, b, _ = people
    assert Skill.objects.filter(slug="zorblaxitis-recovery").count() == 1
    assert WantedSkill.objects.get(profile=a.profile, skill__slug="zorblaxitis-recovery").label == (
        FIRST
    )
    assert OfferedSkill.objects.get(profile=b.profile).label == LATER


def test_the_later_adder_reads_back_what_they_typed(client, people):
    a, b, _ = people
    assert _api_skills(client, b, b) == {"offered": [LATER], "wanted": []}
    page = _page_badges(client, b, b)
    assert f">{LATER}<" in page and FIRST not in page
    edit = client.get(reverse("profile_edit")).content.decode()
    assert f'value="{LATER}"' in edit and FIRST not in edit


def test_the_first_holder_keeps_theirs(client, people):
    a, _, _ = people
    assert _api_skills(client, a, a) == {"offered": [], "wanted": ["Chess", FIRST]}
    page = _page_badges(client, a, a)
    assert f">{FIRST}<" in page and LATER not in page


def test_a_third_reader_sees_each_person_as_they_typed_it_page_and_api_alike(client, people):
    a, b, c = people
    assert _api_skills(client, c, a)["wanted"] == ["Chess", FIRST]
    assert _api_skills(client, c, b)["offered"] == [LATER]
    of_a, of_b = _page_badges(client, c, a), _page_badges(client, c, b)
    assert f">{FIRST}<" in of_a and LATER not in of_a
    assert f">{LATER}<" in of_b and FIRST not in of_b


def test_suggestions_reveal_no_holders_spelling(client, people):
    a, b, c = people
    # However many hold it, a typed tag is suggested to nobody, in no spelling.
    profile_update(profile=c.profile, actor=c, skills_wanted=[THIRD])
    for reader in (a, b, c):
        assert _api_names(client, reader, "zorb") == []
        assert _page_names(client, reader, "skills_wanted", "zorb") == []
    # Curated, it is offered in the curator's spelling, not as any one of them typed it.
    skill_vocabulary_add(names=[LATER])
    for reader in (a, b, c):
        assert _api_names(client, reader, "zorb") == [LATER]
        assert _page_names(client, reader, "skills_offered", "zorb") == [LATER]


def test_suggestions_are_searched_by_what_they_show(client, people):
    """Not by the row's first spelling, which one person typed."""
    a, b, c = people
    for person, typed in ((a, "Quux plan!"), (b, "quux plan"), (c, "QUUX plan")):
        profile_update(profile=person.profile, actor=person, skills_offered=[typed])
    assert Skill.objects.get(slug="quux-plan").name == "Quux plan!"
    assert _api_names(client, b, "quux") == []
    skill_vocabulary_add(names=["Quux plan"])
    assert _api_names(client, b, "quux") == ["Quux plan"]
    assert _api_names(client, b, "plan!") == []


def test_a_typed_tag_is_offered_once_curated_in_the_curators_spelling(client, people):
    """Curation is how a spelling becomes the vocabulary's (two holders spell it one way)."""
    _, b, c = people
    profile_update(profile=c.profile, actor=c, skills_wanted=[FIRST])
    assert _api_names(client, b, "zorb") == []
    skill_vocabulary_add(names=[LATER])
    # In the curator's spelling: the row's first one, A's, is never published by curating.
    assert _api_names(client, b, "zorb") == [LATER]
    assert Skill.objects.get(slug="zorblaxitis-recovery").name == LATER
    assert _api_skills(client, b, b)["offered"] == [LATER]
    assert _api_skills(client, c, c)["wanted"] == [FIRST]  # holders keep their own


def test_retyping_changes_only_ones_own_spelling(client, people):
    a, b, _ = people
    profile_update(profile=b.profile, actor=b, skills_offered=[THIRD])
    assert _api_skills(client, b, b)["offered"] == [THIRD]
    assert _api_skills(client, a, a)["wanted"] == ["Chess", FIRST]
    assert Skill.objects.get(slug="zorblaxitis-recovery").name == FIRST


def test_a_spelling_change_is_a_change_and_an_equal_save_is_not(people):
    _, b, _ = people
    profile = b.profile
    _, changed = profile_update(profile=profile, actor=b, skills_offered=[LATER])
    assert not changed
    _, changed = profile_update(profile=profile, actor=b, skills_offered=[THIRD])
    assert changed


def test_the_untouched_profile_save_keeps_every_label(client, people):
    a, b, _ = people
    for person in (a, b):
        client.force_login(person)
        tags = [*person.profile.offered_tags.all(), *person.profile.wanted_tags.all()]
        with nothing_changes(person.profile, person, *tags):  # the same rows, ids included
            submit_untouched(client, reverse("profile_edit"), reverse("profile_edit"))
    assert _api_skills(client, b, b)["offered"] == [LATER]
    assert _api_skills(client, a, a)["wanted"] == ["Chess", FIRST]


def test_labels_go_with_the_profile(people):
    a, _, _ = people
    a.delete()
    assert not WantedSkill.objects.filter(label=FIRST).exists()
    assert OfferedSkill.objects.filter(label=LATER).exists()


BEFORE, AFTER = ("people", "0005_skill_curated"), ("people", "0006_skill_labels")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_link_with_the_rows_spelling_and_goes_back(migrate_to):
    old = migrate_to(BEFORE)
    OldProfile, OldSkill, OldUser = (
        old.get_model("people", name) for name in ("Profile", "Skill", "User")
    )
    p1, p2 = (
        OldProfile.objects.create(user=OldUser.objects.create(email=e, username=e))
        for e in ("p1@example.org", "p2@example.org")
    )
    shared = OldSkill.objects.create(name=FIRST, slug="zorblaxitis-recovery")
    python = OldSkill.objects.create(name="Python", slug="python")
    p1.skills_wanted.add(shared, python)
    p2.skills_offered.add(shared)
    p2.skills_wanted.add(python)

    new = migrate_to(AFTER)
    Offered, Wanted = (
        new.get_model("people", "OfferedSkill"),
        new.get_model("people", "WantedSkill"),
    )
    assert sorted(Wanted.objects.values_list("profile_id", "skill_id", "label")) == sorted(
        [(p1.pk, shared.pk, FIRST), (p1.pk, python.pk, "Python"), (p2.pk, python.pk, "Python")]
    )
    assert list(Offered.objects.values_list("profile_id", "skill_id", "label")) == [
        (p2.pk, shared.pk, FIRST)
    ]
    # What every holder reads: the spelling they all read before.
    assert skill_labels(profile_queryset().get(pk=p1.pk), "skills_wanted") == ["Python", FIRST]

    OldProfile = migrate_to(BEFORE).get_model("people", "Profile")
    assert set(OldProfile.objects.get(pk=p1.pk).skills_wanted.values_list("pk", flat=True)) == {
        shared.pk,
        python.pk,
    }
    assert list(OldProfile.objects.get(pk=p2.pk).skills_offered.values_list("pk", flat=True)) == [
        shared.pk
    ]
    migrate_to(AFTER)
    assert list(WantedSkill.objects.filter(profile_id=p2.pk).values_list("label", flat=True)) == [
        "Python"
    ]
