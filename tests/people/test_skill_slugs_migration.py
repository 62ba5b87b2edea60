"""Migration people 0007: tags slugged before ``skill_slug`` normalised its input (e1a8e26:
"Ｃ＃", "Ｃ＋＋" and "C♯" were slugged ``c``) take the slug it gives now; a person who then
holds one tag twice on a side keeps one holding (no unique-constraint error)."""

from __future__ import annotations

import pytest

from tandem.matching.records.cells import skill_slug
from tandem.people.models import OfferedSkill, Skill, WantedSkill

BEFORE, AFTER = ("people", "0006_skill_labels"), ("people", "0007_skill_slugs_normalised")


@pytest.fixture
def at_0006(migrate_to):
    """The people app at 0006 for the test (``migrate_to`` takes it back after)."""
    return migrate_to(BEFORE)


def _held(Holding) -> list[tuple[int, str, str]]:
    return sorted(Holding.objects.values_list("profile_id", "skill__slug", "label"))


@pytest.mark.django_db(transaction=True)
def test_old_slugs_are_recomputed_and_a_second_holding_of_one_tag_merges(at_0006, migrate_to):
    old = at_0006
    Profile, Skill0, User, Offered0, Wanted0 = (
        old.get_model("people", name)
        for name in ("Profile", "Skill", "User", "OfferedSkill", "WantedSkill")
    )
    p1, p2, p3, p4, p5 = (
        Profile.objects.create(user=User.objects.create(email=e, username=e))
        for e in (f"p{n}@example.org" for n in range(1, 6))
    )
    # As the old skill_slug made them: the full-width and music-sharp spellings all slugged c.
    c = Skill0.objects.create(name="Ｃ＃", slug="c")
    sharp = Skill0.objects.create(name="C#", slug="c-sharp")
    plus = Skill0.objects.create(name="C++", slug="c-plus-plus")
    g = Skill0.objects.create(name="Ｇ＃", slug="g")
    f = Skill0.objects.create(name="Ｆ＃", slug="f", curated=True)
    python = Skill0.objects.create(name="Python", slug="python")
    Offered0.objects.create(profile=p1, skill=c, label="Ｃ＃")
    kept_c = Offered0.objects.create(profile=p2, skill=c, label="C")
    Wanted0.objects.create(profile=p3, skill=c, label="C♯")
    kept_sharp = Wanted0.objects.create(profile=p3, skill=sharp, label="C#")
    kept_plus = Offered0.objects.create(profile=p4, skill=plus, label="C++")
    Offered0.objects.create(profile=p4, skill=c, label="Ｃ＋＋")
    Wanted0.objects.create(profile=p5, skill=g, label="Ｇ＃")
    Wanted0.objects.create(profile=p5, skill=python, label="python")

    migrate_to(AFTER)

    assert _held(OfferedSkill) == [
        (p1.pk, "c-sharp", "Ｃ＃"),
        (p2.pk, "c", "C"),
        (p4.pk, "c-plus-plus", "C++"),
    ]
    assert _held(WantedSkill) == [
        (p3.pk, "c-sharp", "C#"),
        (p5.pk, "g-sharp", "Ｇ＃"),
        (p5.pk, "python", "python"),
    ]
    # The holdings already right are the ones kept, under their keys.
    assert OfferedSkill.objects.get(pk=kept_c.pk).label == "C"
    assert OfferedSkill.objects.get(pk=kept_plus.pk).label == "C++"
    assert WantedSkill.objects.get(pk=kept_sharp.pk).label == "C#"
    # Each row's slug is its name's now: the c row is named as its holder spells it, the
    # others took their new slug in place (the curated mark stays with its row).
    rows = {s.pk: (s.name, s.slug, s.curated) for s in Skill.objects.all()}
    assert rows == {
        c.pk: ("C", "c", False),
        sharp.pk: ("C#", "c-sharp", False),
        plus.pk: ("C++", "c-plus-plus", False),
        g.pk: ("Ｇ＃", "g-sharp", False),
        f.pk: ("Ｆ＃", "f-sharp", True),
        python.pk: ("Python", "python", False),
    }
    assert all(skill_slug(name) == slug for name, slug, _ in rows.values())


@pytest.mark.django_db(transaction=True)
def test_a_row_whose_spelling_moved_away_goes_and_its_curated_mark_moves_with_the_tag(
    at_0006, migrate_to
):
    old = at_0006
    Profile, Skill0, User, Offered0 = (
        old.get_model("people", name) for name in ("Profile", "Skill", "User", "OfferedSkill")
    )
    p1 = Profile.objects.create(user=User.objects.create(email="a@example.org", username="a"))
    stray = Skill0.objects.create(name="Ｃ＋＋", slug="c", curated=True)
    plus = Skill0.objects.create(name="C++", slug="c-plus-plus")
    Offered0.objects.create(profile=p1, skill=stray, label="Ｃ＋＋")
    Offered0.objects.create(profile=p1, skill=plus, label="C++")

    migrate_to(AFTER)

    assert not Skill.objects.filter(pk=stray.pk).exists()
    # The curated spelling wins, as when a typed tag is curated (skill_vocabulary_add).
    assert list(Skill.objects.values_list("pk", "name", "slug", "curated")) == [
        (plus.pk, "Ｃ＋＋", "c-plus-plus", True)
    ]
    assert _held(OfferedSkill) == [(p1.pk, "c-plus-plus", "C++")]
