"""Skill rows slugged before ``skill_slug`` normalised (NFKC) its input get the slug it gives
now: "Ｃ＋＋", "Ｃ＃" and "C♯" were slugged ``c``, so their holders matched as C (and a person
holding "C" and "Ｃ＋＋" could hold only one of them). ASCII names keep their slugs, so only
rows with other characters move.

1. A ``Skill`` whose own name slugs differently takes that slug when no row has it; when one
   has, the other row is the tag (it takes the curated mark) and this one keeps its holders
   whose spelling is its slug, or goes when none is left.
2. Each holding (``OfferedSkill`` / ``WantedSkill``) whose ``label`` slugs differently from its
   skill's slug moves to the skill of that slug (made from the label when missing); a person
   who then holds the same skill twice on one side keeps one holding, the one already right
   (or the first), so the unique ``(profile, skill)`` constraints hold throughout.
3. A row whose name still slugs differently is named as its first holder spells it, or
   dropped when nobody holds it (a curated row kept that way has its slug already, step 1).

Not reversible in data (the old slugs were the bug); going back leaves the rows as they are.
"""

from django.db import migrations

SIDES = ("OfferedSkill", "WantedSkill")
BATCH = 2000


def _slug(name: str) -> str:
    # The rule itself, imported rather than copied: the point of this migration is that stored
    # slugs equal what the app computes when it reads and writes tags (one source for each
    # rule, STYLE 3b; a frozen copy would drift from it). ``tandem.matching`` is pure Python
    # without Django or models, so importing it cannot drag in today's models; a later change
    # of the rule needs its own migration like this one, as this one follows e1a8e26.
    from tandem.matching.records.cells import skill_slug

    return skill_slug(name)


def reslug(apps, schema_editor):
    Skill = apps.get_model("people", "Skill")
    holdings = [apps.get_model("people", name) for name in SIDES]
    _reslug_rows(Skill)
    for Holding in holdings:
        _move_holdings(Skill, Holding)
    _tidy_rows(Skill, holdings)


def _wrong_rows(Skill):
    return [
        skill
        for skill in Skill.objects.order_by("pk").iterator()
        if _slug(skill.name) not in ("", skill.slug)  # no letter or digit: no better slug
    ]


def _reslug_rows(Skill) -> None:
    for skill in _wrong_rows(Skill):
        slug = _slug(skill.name)
        other = Skill.objects.filter(slug=slug).first()
        if other is None:
            skill.slug = slug
            skill.save(update_fields=["slug"])
        elif skill.curated:  # the tag is the other row: the mark goes there
            if not other.curated:
                other.curated, other.name = True, skill.name
                other.save(update_fields=["curated", "name"])
            skill.curated = False
            skill.save(update_fields=["curated"])


def _move_holdings(Skill, Holding) -> None:
    slugs = dict(Skill.objects.values_list("pk", "slug"))
    wrong = [
        (pk, profile_id, label, _slug(label))
        for pk, profile_id, skill_id, label in Holding.objects.order_by("pk")
        .values_list("pk", "profile_id", "skill_id", "label")
        .iterator(chunk_size=BATCH)
        if _slug(label) not in ("", slugs[skill_id])
    ]
    if not wrong:
        return
    wanted = {slug: label for _, _, label, slug in reversed(wrong)}  # the first spelling
    have = set(Skill.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    Skill.objects.bulk_create(
        [Skill(name=label, slug=slug) for slug, label in wanted.items() if slug not in have],
        ignore_conflicts=True,
    )
    target = dict(Skill.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    moving = {pk for pk, *_ in wrong}
    profiles = {profile_id for _, profile_id, _, _ in wrong}
    held = set(
        Holding.objects.filter(profile_id__in=profiles)
        .exclude(pk__in=moving)
        .values_list("profile_id", "skill_id")
    )
    moved = []
    for pk, profile_id, label, slug in wrong:
        if (profile_id, target[slug]) not in held:
            held.add((profile_id, target[slug]))
            moved.append(Holding(pk=pk, profile_id=profile_id, skill_id=target[slug], label=label))
    # Deleted and made again under the same keys, so no moment holds a pair twice (a swap of
    # two of one person's holdings would otherwise collide on the way).
    for start in range(0, len(wrong), BATCH):
        Holding.objects.filter(pk__in=[pk for pk, *_ in wrong[start : start + BATCH]]).delete()
    Holding.objects.bulk_create(moved, batch_size=BATCH)


def _tidy_rows(Skill, holdings) -> None:
    for skill in _wrong_rows(Skill):
        spelled = next(
            (
                label
                for Holding in holdings
                for label in Holding.objects.filter(skill=skill)
                .order_by("pk")
                .values_list("label", flat=True)[:1]
            ),
            None,
        )
        if spelled is not None:
            skill.name = spelled
            skill.save(update_fields=["name"])
        elif not skill.curated:
            skill.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_skill_labels"),
    ]

    operations = [
        migrations.RunPython(reslug, migrations.RunPython.noop, elidable=False),
    ]
