"""Reads about people, scoped to what the caller may see.

``people`` sits below ``programs`` (it imports nothing from it), so the "shares a program"
rule below follows the ``User.enrolments`` reverse relation by name and uses the enrolment
status/role values as plain strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import StartsWith

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.core.search import Lowered, contains_folded
from tandem.people.models import (
    ApiToken,
    AvailabilityWindow,
    Identity,
    OfferedSkill,
    Profile,
    Skill,
    User,
    WantedSkill,
)

PROFILE_NOT_FOUND = "Profile not found."

# Enrolment values (tandem.programs.models.EnrolmentStatus / Role), kept as strings here.
MEMBER_STATUSES = ("active", "paused")
# People asking in (awaiting approval or on the waitlist): their program's admins read their
# profile to decide.
APPLICANT_STATUSES = ("pending", "waitlisted")
ADMIN_ROLE = "admin"


def is_signed_in(user: User | AnonymousUser | None) -> TypeGuard[User]:
    """The one sign-in rule of every ``access_*`` helper, in every app: a signed-in account
    that is not deactivated (a deactivated account reaches nothing, even through a session or
    a token that outlived it)."""
    return user is not None and user.is_authenticated and user.is_active


def _prefilled(profile: Profile, relation: str) -> list[Any] | None:
    """Use prefetched rows when the caller prefetched them (no extra query)."""
    cache = getattr(profile, "_prefetched_objects_cache", {})
    return list(cache[relation]) if relation in cache else None


def _has_skills(profile: Profile) -> bool:
    offered, wanted = _prefilled(profile, "offered_tags"), _prefilled(profile, "wanted_tags")
    if offered is not None and wanted is not None:
        return bool(offered or wanted)
    return profile.offered_tags.exists() or profile.wanted_tags.exists()


# What a profile needs for good matching, with the words shown to the person.
COMPLETENESS_CHECKS = (
    ("goals or expertise", lambda p: bool(p.goals.strip() or p.expertise.strip())),
    ("skills", _has_skills),
    ("seniority", lambda p: p.seniority is not None),
    ("languages", lambda p: bool(p.languages)),
    ("weekly availability", lambda p: bool(p.availability_utc)),
    ("preferred cadence", lambda p: bool(p.cadence)),
    ("working style", lambda p: bool(p.working_style)),
    ("headline", lambda p: bool(p.headline.strip())),
)


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


def profile_completeness(*, profile: Profile) -> Completeness:
    missing = [label for label, check in COMPLETENESS_CHECKS if not check(profile)]
    done = len(COMPLETENESS_CHECKS) - len(missing)
    return Completeness(percent=round(100 * done / len(COMPLETENESS_CHECKS)), missing=missing)


# The links of each skills field, with the holder's spelling (``label``).
SKILL_TAGS: dict[str, tuple[str, type[OfferedSkill] | type[WantedSkill]]] = {
    "skills_offered": ("offered_tags", OfferedSkill),
    "skills_wanted": ("wanted_tags", WantedSkill),
}


_ALPHABETICAL = (Lowered(F("label")), "label")


def skill_tags_prefetch(
    path: str = "", fields: Iterable[str] = ("skills_offered", "skills_wanted")
) -> list[Prefetch]:
    """Prefetch a profile's tags of ``fields`` (as ``offered_tags``, ``wanted_tags``) from
    ``path`` (such as ``"person__profile__"``), alphabetical: each tag as its holder typed it
    (``label``), the one spelling anyone reads on that person, never the shared row's
    ``name``."""
    return [
        Prefetch(
            f"{path}{SKILL_TAGS[name][0]}",
            queryset=SKILL_TAGS[name][1].objects.order_by(*_ALPHABETICAL),
        )
        for name in fields
    ]


def skill_labels(profile: Profile, field: str) -> list[str]:
    """A profile's ``skills_offered`` or ``skills_wanted``, each in its holder's spelling
    (prefetched by ``skill_tags_prefetch``, else read now), alphabetical."""
    relation = SKILL_TAGS[field][0]
    tags = _prefilled(profile, relation)
    if tags is None:
        tags = list(getattr(profile, relation).order_by(*_ALPHABETICAL))
    return [tag.label for tag in tags]


def profile_queryset() -> QuerySet[Profile]:
    """Profiles with everything a page or the API shows, in a fixed number of queries."""
    return Profile.objects.select_related("user", "manager").prefetch_related(
        *skill_tags_prefetch(),
        Prefetch(
            "windows", queryset=AvailabilityWindow.objects.order_by("weekday", "start_minute")
        ),
    )


def profile_get_own(*, user: User) -> Profile:
    """The viewer's own profile, created empty on first need, fully prefetched."""
    profile = profile_queryset().filter(user=user).first()
    if profile is None:
        Profile.objects.get_or_create(user=user)
        profile = profile_queryset().get(user=user)
    return profile


def people_share_program(*, viewer: User | AnonymousUser, user_id: int) -> bool:
    """Whether ``viewer`` may see the profile of ``user_id``.

    True for the owner; for two people with active/paused enrolments in one program; and for
    an active program admin looking at someone whose enrolment in that program is pending
    (reviewing an application).
    """
    if not is_signed_in(viewer):
        return False
    if viewer.pk == user_id:
        return True
    return User.objects.filter(_shares_program_with(viewer), pk=user_id, is_active=True).exists()


def _shares_program_with(viewer: User) -> Q:
    shared = Q(
        enrolments__status__in=MEMBER_STATUSES,
        enrolments__program__enrolments__person=viewer,
        enrolments__program__enrolments__status__in=MEMBER_STATUSES,
    )
    # The program-admin rule (programs.selectors.NEEDS, which people cannot import), spelled in
    # strings; tests/people/test_permissions.py checks that the two agree.
    applicant = Q(
        enrolments__status__in=APPLICANT_STATUSES,
        enrolments__program__enrolments__person=viewer,
        enrolments__program__enrolments__role=ADMIN_ROLE,
        enrolments__program__enrolments__status="active",
    )
    return shared | applicant


def profiles_visible_to(*, viewer: User | AnonymousUser, user_ids: Iterable[int]) -> set[int]:
    """The ids among ``user_ids`` whose profile ``access_profile`` shows ``viewer``
    (the same rule, for a whole list in one query), so a page links only those."""
    ids = set(user_ids)
    if not is_signed_in(viewer) or not ids:
        return set()
    visible = set(
        User.objects.filter(
            _shares_program_with(viewer), pk__in=ids, is_active=True, profile__isnull=False
        ).values_list("pk", flat=True)
    )
    return visible | ({viewer.pk} & ids)


def access_profile(*, user: User | AnonymousUser, user_id: int) -> Profile:
    """The profile of ``user_id`` if ``user`` may see it: the same ``NotFound`` for missing
    and not allowed."""
    if not is_signed_in(user) or not people_share_program(viewer=user, user_id=user_id):
        raise NotFound(PROFILE_NOT_FOUND)
    profile = profile_queryset().filter(user_id=user_id, user__is_active=True).first()
    if profile is None:
        if user.pk != user_id:
            raise NotFound(PROFILE_NOT_FOUND)
        profile = profile_get_own(user=user)
    return profile


def identity_get_own(*, user: User | AnonymousUser) -> Identity | None:
    """The caller's own identity record. There is deliberately no selector for anyone else's."""
    if not is_signed_in(user):
        return None
    return Identity.objects.filter(user=user).first()


def _skills_suggestable() -> QuerySet[Skill]:
    """The tags any signed-in person may be offered, each with the text offered
    (``suggested_as``): the curated vocabulary only, in its own spelling.

    A tag typed on a profile is never suggested, however many people hold it: a count that
    decides whether a tag is offered counts accounts one person may control (a privacy review
    held a guessed private tag with two sign-ups and read off whether someone else held it).
    A site admin shares a typed tag by ticking *curated*."""
    return Skill.objects.filter(curated=True).alias(shown=F("name"))


class SkillSuggestion(TypedDict):
    id: int
    slug: str
    suggested_as: str


def skill_search(*, prefix: str = "") -> QuerySet[Skill, SkillSuggestion]:
    """Suggestable tags (``_skills_suggestable``) whose ``suggested_as`` contains ``prefix``
    (case-insensitive), those starting with it first, then alphabetical, as ``{"id", "slug",
    "suggested_as"}``. An empty prefix lists them all."""
    prefix = " ".join((prefix or "").split())
    skills = _skills_suggestable()
    shown = F("shown")
    if prefix:
        starts_first = Case(
            When(StartsWith(Lowered(shown), prefix.lower()), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        skills = skills.filter(contains_folded(prefix, "shown")).order_by(starts_first, shown, "pk")
    else:
        skills = skills.order_by(shown, "pk")
    return skills.values("id", "slug", suggested_as=shown)


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


TOKEN_NOT_FOUND = "Token not found."


def access_api_token(*, user: User, token_id: int, for_update: bool = False) -> ApiToken:
    """One of the caller's own API tokens; someone else's is missing too. ``for_update`` locks
    it (inside ``transaction.atomic`` only)."""
    qs = lockable(ApiToken.objects.all(), for_update=for_update)
    token = qs.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(TOKEN_NOT_FOUND)
    return token


PEOPLE_SEARCH_MIN_LENGTH = 2


def people_search_visible_to(
    *, viewer: User | AnonymousUser, query: str, limit: int = 10
) -> list[User]:
    """People whose profile ``viewer`` may see (``profiles_visible_to``'s rule), the viewer
    excluded, whose names contain every word of ``query``; at most ``limit``, by name.

    Names only: searching emails would confirm an address to someone who cannot see it, and
    people without a name are never found (they read as ``NAMELESS_MEMBER``, never their email).
    """
    words = " ".join((query or "").split())
    if not is_signed_in(viewer) or len(words) < PEOPLE_SEARCH_MIN_LENGTH:
        return []
    people = User.objects.filter(
        pk__in=User.objects.filter(_shares_program_with(viewer)).values("pk"),
        is_active=True,
        profile__isnull=False,
    ).exclude(pk=viewer.pk)
    for word in words.split(" "):
        people = people.filter(contains_folded(word, "first_name", "last_name"))
    return list(people.select_related("profile").order_by("first_name", "last_name", "pk")[:limit])
