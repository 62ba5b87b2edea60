"""Profiles: every field checked through the participant record, then written all or nothing;
the skill vocabulary."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction

from tandem.core.exceptions import ApplicationError, NotFound, validation_error_fields
from tandem.core.saving import field_values, model_update, save_changed
from tandem.core.text import clean_text, one_line
from tandem.matching.records import cells
from tandem.matching.records.availability import Window, check_availability
from tandem.matching.records.cells import CellError, check_skill, skill_slug
from tandem.matching.records.columns import PLACE_MAX_LENGTH, TEXT_MAX_LENGTH
from tandem.matching.records.timezones import check_timezone
from tandem.people.models import AvailabilityWindow, Profile, Skill, User
from tandem.people.selectors import SKILL_TAGS
from tandem.people.services.accounts import NAME_MAX_LENGTH
from tandem.people.services.availability import availability_utc_refresh
from tandem.people.services.common import (
    NAME_ONLY_BLANKS,
    TOO_LONG,
    blank_name,
)
from tandem.people.services.manager import MANAGER_FIELDS, manager_change
from tandem.people.services.vectors import TEXT_FIELDS, profile_vectors_on_save

PROFILE_INVALID = "Some profile fields need changing."
PROFILE_FORBIDDEN = "You can only change your own profile."

UNSET: object = object()  # "not given": profile_update leaves such fields alone (PATCH)


def profile_ensure(*, user: User) -> Profile:
    """Every account has a profile; create the empty one on first need."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def skill_split(text: str) -> list[str]:
    """``"Python, data  science;SQL"`` → ``["Python", "data  science", "SQL"]`` (unnormalised):
    the form's one text box takes commas too."""
    return [part for part in re.split(r"[,;\n]", text or "") if part.strip()]


def skill_get_or_create_bulk(*, names: Iterable[str]) -> list[Skill]:
    """Skills for ``names`` in the given order, deduplicated by slug, creating missing ones.

    An existing row keeps its name (the curated spelling, or the first one typed), which only
    suggestions of a curated tag and the admin show: holders read their own ``label``. Safe under
    concurrency: the unique slug decides, and losers re-read. At most 2 queries when all exist,
    3 otherwise.
    """
    wanted: dict[str, str] = {}
    for name in names:
        try:
            cleaned = check_skill(name)
        except CellError as error:
            raise ApplicationError(error.message, fields={"skills": error.message}) from None
        wanted.setdefault(skill_slug(cleaned), cleaned)
    if not wanted:
        return []
    existing = {skill.slug: skill for skill in Skill.objects.filter(slug__in=wanted)}
    missing = [Skill(name=name, slug=slug) for slug, name in wanted.items() if slug not in existing]
    if missing:
        Skill.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {skill.slug: skill for skill in Skill.objects.filter(slug__in=wanted)}
    return [existing[slug] for slug in wanted]


def _skills_as_typed(names: Iterable[str]) -> list[tuple[Skill, str]]:
    """Each tag's skill (created when missing) with its spelling in ``names`` (the first of a
    slug), in the given order."""
    names = list(names)
    skills = skill_get_or_create_bulk(names=names)
    typed: dict[str, str] = {}
    for name in names:
        typed.setdefault(skill_slug(check_skill(name)), check_skill(name))
    return [(skill, typed[skill.slug]) for skill in skills]


def skill_vocabulary_add(*, names: Iterable[str]) -> list[Skill]:
    """Curate the tags ``names`` in these spellings (creating missing ones): seeded vocabulary
    that is suggested to everyone, however few people hold it. A row someone typed first takes
    the vocabulary's spelling, so curating it never publishes theirs."""
    with transaction.atomic():
        spelled = _skills_as_typed(names)
        changed = [skill for skill, name in spelled if not skill.curated or skill.name != name]
        for skill, name in spelled:
            skill.curated, skill.name = True, name
        Skill.objects.bulk_update(changed, ["curated", "name"])
    return [skill for skill, _ in spelled]


def _check_length(errors: dict, field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[field] = TOO_LONG.format(limit=limit)


def _skills(names: str | Iterable[object] | None) -> list[str]:
    return cells.check_skills(skill_split(names) if isinstance(names, str) else names or [])


def _cadence(value: object) -> str:
    return cells.parse_cadence(str(value)) if value else ""


def _meeting_format(value: object) -> str:
    return cells.parse_format(str(value or ""))


def _languages(codes: Iterable[object] | None) -> list[str]:
    return cells.check_languages(codes or [])


def _working_style(answers: Mapping[str, object] | None) -> dict[str, int]:
    return cells.check_working_style(answers or {})


# The participant record's rule for each profile field that has one (field → rule, and whether
# the value is written as a relation rather than a column).
RECORD_RULES: dict[str, tuple[Callable[[Any], object], bool]] = {
    "seniority": (cells.check_seniority, False),
    "timezone": (check_timezone, False),
    "languages": (_languages, False),
    "meeting_format": (_meeting_format, False),
    "cadence": (_cadence, False),
    "working_style": (_working_style, False),
    "skills_offered": (_skills, True),
    "skills_wanted": (_skills, True),
    "availability": (check_availability, True),
}


def _check_record_fields(changes: _ProfileChanges, given: dict) -> None:
    """Each given field through its record rule; a broken rule is that field's error (or its
    part's: ``working_style.pace``)."""
    for field, (check, relation) in RECORD_RULES.items():
        if field not in given:
            continue
        target = changes.relations if relation else changes.profile_fields
        try:
            target[field] = check(given[field])
        except CellError as error:
            changes.errors[f"{field}.{error.part}" if error.part else field] = error.message


TEXT_LIMITS = {
    "first_name": NAME_MAX_LENGTH,
    "last_name": NAME_MAX_LENGTH,
    "headline": cast(int, Profile._meta.get_field("headline").max_length),
    "bio": cast(int, Profile._meta.get_field("bio").max_length),
    "goals": TEXT_MAX_LENGTH,
    "expertise": TEXT_MAX_LENGTH,
    "department": PLACE_MAX_LENGTH,
    "city": PLACE_MAX_LENGTH,
}
ONE_LINE_FIELDS = {"first_name", "last_name", "headline", "department", "city"}
USER_NAME_FIELDS = {"first_name", "last_name"}


@dataclass
class _ProfileChanges:
    """Validated values, ready to write; ``errors`` maps field → message."""

    profile_fields: dict = dc_field(default_factory=dict)
    user_fields: dict = dc_field(default_factory=dict)
    relations: dict = dc_field(default_factory=dict)  # manager, skills, availability
    errors: dict = dc_field(default_factory=dict)


def _profile_changes(profile: Profile, given: dict, actor: User | None) -> _ProfileChanges:
    changes = _ProfileChanges()
    for field, limit in TEXT_LIMITS.items():
        if field in given:
            if field in USER_NAME_FIELDS and blank_name(given[field]):
                changes.errors[field] = NAME_ONLY_BLANKS
                continue
            value = clean_text(given[field])
            if field in ONE_LINE_FIELDS:
                value = one_line(value)
            target = changes.user_fields if field in USER_NAME_FIELDS else changes.profile_fields
            target[field] = value
            _check_length(changes.errors, field, value, limit)
    _check_record_fields(changes, given)
    if MANAGER_FIELDS & given.keys():
        manager = manager_change(profile=profile, actor=actor, given=given)
        changes.profile_fields.update(manager.profile_fields)
        changes.relations.update(manager.relations)
        changes.errors.update(manager.errors)
    return changes


def profile_update(
    *,
    profile: Profile,
    actor: User | None,
    first_name: object = UNSET,
    last_name: object = UNSET,
    headline: object = UNSET,
    bio: object = UNSET,
    goals: object = UNSET,
    expertise: object = UNSET,
    skills_offered: object = UNSET,
    skills_wanted: object = UNSET,
    seniority: object = UNSET,
    department: object = UNSET,
    manager: object = UNSET,
    manager_name: object = UNSET,
    manager_email: object = UNSET,
    city: object = UNSET,
    timezone: object = UNSET,
    availability: object = UNSET,
    languages: object = UNSET,
    meeting_format: object = UNSET,
    cadence: object = UNSET,
    working_style: object = UNSET,
    reference_date: date | None = None,
) -> tuple[Profile, bool]:
    """Validate every given field, then write them all in one transaction (or nothing).
    Returns the profile and whether anything of it changed (a form saved untouched: no).

    Arguments left ``UNSET`` are not changed. ``actor`` must be the profile's owner or staff;
    ``None`` means trusted system code (CSV import, demo, CLI) that checked permission itself.
    Skills are lists of names (or one comma-separated string), availability a list of
    "Mon 09:00-12:00" strings or ``(weekday, start, end)`` tuples in the profile's time zone,
    ``manager`` the id of someone the actor can see, or ``None`` with ``manager_name`` and
    ``manager_email`` typed ("" clears; see ``manager``), ``working_style`` ``{question: 1..5}``.
    Raises ``ApplicationError`` (status 400) whose ``fields`` name every invalid field.
    """
    if actor is not None and actor.pk != profile.user_id and not actor.is_staff:
        raise NotFound(PROFILE_FORBIDDEN)
    given = {
        name: value
        for name, value in {
            "first_name": first_name,
            "last_name": last_name,
            "headline": headline,
            "bio": bio,
            "goals": goals,
            "expertise": expertise,
            "skills_offered": skills_offered,
            "skills_wanted": skills_wanted,
            "seniority": seniority,
            "department": department,
            "manager": manager,
            "manager_name": manager_name,
            "manager_email": manager_email,
            "city": city,
            "timezone": timezone,
            "availability": availability,
            "languages": languages,
            "meeting_format": meeting_format,
            "cadence": cadence,
            "working_style": working_style,
        }.items()
        if value is not UNSET
    }
    changes = _profile_changes(profile, given, actor)
    if changes.errors:
        raise ApplicationError(PROFILE_INVALID, fields=changes.errors)
    with transaction.atomic():
        profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        changed, related_changed = _profile_write(profile, changes, reference_date)
        if TEXT_FIELDS & set(changed):
            profile_vectors_on_save(profile=profile)
    return profile, bool(changed) or related_changed


def _profile_write(
    profile: Profile, changes: _ProfileChanges, reference_date: date | None
) -> tuple[list[str], bool]:
    """Write the changes, only the columns whose value differs (``save_changed``); returns
    their names, and whether anything beside the row (name, skills, windows) changed."""
    before = field_values(profile)
    for field, value in changes.profile_fields.items():
        setattr(profile, field, value)
    relations = changes.relations
    if "manager" in relations:
        profile.manager = relations["manager"]
    try:
        profile.full_clean(exclude=["user", "manager"])
    except ValidationError as error:
        raise ApplicationError(PROFILE_INVALID, fields=validation_error_fields(error)) from None
    # A change beside the row (a name, skills, windows) still stamps the profile's updated_at:
    # the match runs' mentor pool knows a profile changed by it.
    related = [bool(model_update(profile.user, changes.user_fields))]
    for name in ("skills_offered", "skills_wanted"):
        if name in relations:
            related.append(_replace_skills(profile, name, relations[name]))
    if "availability" in relations:
        related.append(_replace_windows(profile, relations["availability"]))
    if "availability" in relations or "timezone" in changes.profile_fields:
        availability_utc_refresh(profile, reference_date)
    return save_changed(profile, before, related_changed=any(related)), any(related)


def _replace_skills(profile: Profile, side: str, names: list[str]) -> bool:
    """Set a profile's tags on ``side`` to ``names``, each kept as this person typed it; False
    when they already were (the same tags in the same spellings)."""
    holding = SKILL_TAGS[side][1]
    labels = {skill.pk: label for skill, label in _skills_as_typed(names)}
    held = holding.objects.filter(profile=profile)
    if dict(held.values_list("skill_id", "label")) == labels:
        return False
    held.delete()
    # Either side's model: mypy cannot pair the union's manager with its rows.
    holding.objects.bulk_create(
        holding(profile=profile, skill_id=skill, label=label)  # type: ignore[misc]
        for skill, label in labels.items()
    )
    return True


def _replace_windows(profile: Profile, windows: list[Window]) -> bool:
    """Store the (normalised) windows; the same ones as stored leave the rows alone (False), so
    a profile saved untouched changes nothing."""
    stored = AvailabilityWindow.objects.filter(profile=profile)
    if sorted(stored.values_list("weekday", "start_minute", "end_minute")) == sorted(
        tuple(w) for w in windows
    ):
        return False
    stored.delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            profile=profile, weekday=w.weekday, start_minute=w.start, end_minute=w.end
        )
        for w in windows
    )
    return True


def profile_set_availability(
    *,
    profile: Profile,
    actor: User | None,
    windows: Iterable[str] | Iterable[tuple[int, int, int]],
    reference_date: date | None = None,
) -> tuple[Profile, bool]:
    """Replace the weekly windows (merged) and recompute ``availability_utc``; see
    ``profile_update``."""
    return profile_update(
        profile=profile, actor=actor, availability=list(windows), reference_date=reference_date
    )
