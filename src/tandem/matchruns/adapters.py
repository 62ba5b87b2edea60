"""The one place where Profiles + Enrolments become the matching core's participant records.

Both cohort match runs and self-serve recommendations go through :func:`participants_for_program`
so the two can never disagree about what a person looks like to the core. Those records carry
no identity, and neither runs nor recommendations add it: identity never steers Tandem's matching
(docs/matching.md, "Identity and privacy"), so a run's snapshot and result hold none of it.
Nothing built here is rendered.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from tandem.matching.features import CRITERIA
from tandem.matching.profiles import REFERENCE_WEEK, Mentee, Mentor
from tandem.matching.text import Embedder
from tandem.mentorships.models import OPEN_STATES, Mentorship
from tandem.people.models import AvailabilityWindow, Profile
from tandem.people.selectors import skill_labels, skill_tags_prefetch
from tandem.people.services.vectors import profile_vectors_embedder
from tandem.programs.models import (
    DEFAULT_WEIGHTS,
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramType,
    Role,
)

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Programs store weights under the product's names; the core has its own for one criterion.
WEIGHT_ALIASES = {"text": "goals"}
# Record fields that hold identity: never filled here, and dropped from any snapshot read back.
IDENTITY_FIELDS = ("identity", "prefer_shared_identity")


@dataclass(frozen=True)
class Cohort:
    """Everything the core needs for one program, as plain records."""

    mentees: list[Mentee]
    mentors: list[Mentor]
    weights: dict[str, float]
    reverse: bool
    conflict_rules: tuple[str, ...]
    # A day of the week the pairs will meet in: local availability becomes UTC with that week's
    # offsets, so daylight-saving changes between the parties' zones are honoured.
    week: date = REFERENCE_WEEK
    # Mentors' open mentorships in the program, by mentor id (not part of the core input).
    loads: dict[str, int] = field(default_factory=dict, compare=False)
    # Mentors' places before those mentorships: their enrolment's capacity or the default.
    limits: dict[str, int] = field(default_factory=dict, compare=False)

    def mentor(self, mentor_id: str) -> Mentor | None:
        return next((m for m in self.mentors if m.id == mentor_id), None)

    def mentee(self, mentee_id: str) -> Mentee | None:
        return next((m for m in self.mentees if m.id == mentee_id), None)


def program_weights(program: Program) -> dict[str, float]:
    """The program's weights under the core's criterion names. Names a program may not set are
    dropped: unknown ones, and ``identity`` stored before it was taken out of programs' weights."""
    weights: dict[str, float] = {}
    for name, value in (program.weights or {}).items():
        if name not in DEFAULT_WEIGHTS:
            continue
        name = WEIGHT_ALIASES.get(name, name)
        if name in CRITERIA:
            weights[name] = float(value)
    return weights


def program_week(program: Program) -> date:
    """The week a program's pairs will meet in: today's, or its first week if it starts later."""
    today = timezone.localdate()
    return max(today, program.starts_on) if program.starts_on else today


def program_conflict_rules(program: Program) -> tuple[str, ...]:
    rules = []
    if program.avoid_manager:
        rules.append("manager")
    if program.avoid_same_department:
        rules.append("department")
    return tuple(rules)


def mentor_loads(*, program: Program, mentor_ids: Iterable[int] | None = None) -> Counter:
    """Open (proposed or active) mentorships per mentor user id in ``program``."""
    qs = Mentorship.objects.filter(program=program, state__in=OPEN_STATES)
    if mentor_ids is not None:
        qs = qs.filter(mentor_id__in=list(mentor_ids))
    return Counter(qs.values_list("mentor_id", flat=True))


def mentees_with_open_mentorship(*, program: Program) -> set[int]:
    return set(
        Mentorship.objects.filter(program=program, state__in=OPEN_STATES).values_list(
            "mentee_id", flat=True
        )
    )


def _enrolled(program: Program) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        program=program, status=EnrolmentStatus.ACTIVE, role__in=(Role.MENTEE, Role.MENTOR)
    )


def has_active_mentees(*, program: Program) -> bool:
    """Whether the program has active mentees at all, matched or not: a run left without
    mentees says why (everyone is in a mentorship, or nobody is approved yet)."""
    return _enrolled(program).filter(role=Role.MENTEE).exists()


def _chosen(
    program: Program, mentee_ids: Iterable[int] | None, mentor_ids: Iterable[int] | None = None
) -> QuerySet[Enrolment]:
    qs = _enrolled(program)
    if mentee_ids is not None:
        qs = qs.filter(Q(role=Role.MENTOR) | Q(role=Role.MENTEE, person_id__in=list(mentee_ids)))
    if mentor_ids is not None:
        qs = qs.filter(Q(role=Role.MENTEE) | Q(role=Role.MENTOR, person_id__in=list(mentor_ids)))
    return qs


def _people_lookups(program: Program, chosen: QuerySet[Enrolment]) -> dict:
    """Program-wide facts about the chosen people, whoever else is loaded with them (one
    query, the chosen as subqueries): who is enrolled in both roles (never paired with
    themself), and the enrolled person each of their manager emails names."""
    person_ids = chosen.values("person_id")
    named = (
        Profile.objects.filter(user_id__in=person_ids)
        .exclude(manager_email="")
        .annotate(key=Lower("manager_email"))
        .values("key")
    )
    rows = list(
        _enrolled(program)
        .filter(Q(person_id__in=person_ids) | Q(person__email__in=named))
        .order_by("person_id")
        .values_list("person_id", "person__email")
    )
    roles = Counter(person_id for person_id, _ in rows)
    return {
        "both_roles": {person_id for person_id, n in roles.items() if n > 1},
        "by_email": {email.lower(): person_id for person_id, email in rows},
    }


def _enrolments(chosen: QuerySet[Enrolment], *, skills: Iterable[str]):
    """The chosen enrolments with all a record needs; ``skills``: the tag lists to read (a
    side nobody was chosen for needs none)."""
    return (
        chosen.select_related("person", "person__profile")
        .prefetch_related(
            "exclude",
            *skill_tags_prefetch("person__profile__", skills),
            Prefetch(
                "person__profile__windows",
                queryset=AvailabilityWindow.objects.order_by("weekday", "start_minute"),
            ),
        )
        .order_by("person_id")
    )


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _window(window: AvailabilityWindow) -> str:
    return f"{DAY_NAMES[window.weekday]} {_clock(window.start_minute)}-{_clock(window.end_minute)}"


def _related(obj, name: str):
    try:
        return getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist: an account without a profile
        return None


def _common(enrolment: Enrolment, *, both_roles: set[int], by_email: dict[str, int]) -> dict:
    person = enrolment.person
    profile = _related(person, "profile")
    exclude = [str(user.pk) for user in enrolment.exclude.all()]
    if person.pk in both_roles:  # peer programs: never pair a person with themself
        exclude.append(str(person.pk))
    common: dict[str, Any] = {
        "id": str(person.pk),
        "name": person.display_name,
        "exclude": tuple(sorted(set(exclude))),
    }
    if profile is None:
        return common
    style = {
        str(k): int(v)
        for k, v in (profile.working_style or {}).items()
        if isinstance(v, int) and 1 <= v <= 5
    }
    common.update(
        seniority=float(profile.seniority) if profile.seniority is not None else None,
        languages=tuple(profile.languages or ()),
        timezone=profile.timezone or "",
        availability=tuple(_window(w) for w in profile.windows.all()),
        format=profile.meeting_format or "",
        city=profile.city,
        cadence=profile.cadence or "",
        department=profile.department,
        manager=_manager_key(profile, by_email),
        working_style=style,
    )
    return common


def _manager_key(profile, by_email: dict[str, int]) -> str:
    """The manager's id in this run: the participant with the email the person gave (whenever
    they joined), else the account an import linked."""
    manager_id = by_email.get(profile.manager_email.lower()) or profile.manager_id
    return str(manager_id) if manager_id else ""


def _mentee(enrolment: Enrolment, **people) -> Mentee:
    profile = _related(enrolment.person, "profile")
    extra = {}
    if profile is not None:
        extra = {
            "goals": profile.goals,
            "skills_wanted": tuple(skill_labels(profile, "skills_wanted")),
        }
    return Mentee(**_common(enrolment, **people), **extra)


def _mentor(enrolment: Enrolment, *, capacity: int, **people) -> Mentor:
    profile = _related(enrolment.person, "profile")
    extra = {}
    if profile is not None:
        extra = {
            "expertise": profile.expertise,
            "skills_offered": tuple(skill_labels(profile, "skills_offered")),
        }
    return Mentor(**_common(enrolment, **people), capacity=capacity, **extra)


def participants_for_program(
    *,
    program: Program,
    mentee_ids: Iterable[int] | None = None,
    mentor_ids: Iterable[int] | None = None,
    skip_matched_mentees: bool = True,
) -> Cohort:
    """The program's active mentees and mentors as core records.

    A mentor's capacity is their enrolment's capacity (or the program default) minus their
    open mentorships in the program, never below 0. Mentees who already have an open
    mentorship in the program are left out when ``skip_matched_mentees``. ``mentee_ids``
    limits the mentee side (recommendations for one person), ``mentor_ids`` the mentor side
    (one pair's reasons, without reading the whole program).
    """
    mentee_ids = None if mentee_ids is None else list(mentee_ids)
    mentor_ids = None if mentor_ids is None else list(mentor_ids)
    chosen = _chosen(program, mentee_ids, mentor_ids)
    skills = [
        name
        for name, ids in (("skills_wanted", mentee_ids), ("skills_offered", mentor_ids))
        if ids is None or ids
    ]
    enrolments = list(_enrolments(chosen, skills=skills))
    people = _people_lookups(program, chosen)
    loads = mentor_loads(program=program)
    matched = mentees_with_open_mentorship(program=program) if skip_matched_mentees else set()
    mentees, mentors, limits = [], [], {}
    for enrolment in enrolments:
        if enrolment.role == Role.MENTEE:
            if enrolment.person_id not in matched:
                mentees.append(_mentee(enrolment, **people))
            continue
        limit = enrolment.capacity if enrolment.capacity is not None else program.default_capacity
        limits[str(enrolment.person_id)] = limit
        free = max(0, limit - loads.get(enrolment.person_id, 0))
        mentors.append(_mentor(enrolment, capacity=free, **people))
    return Cohort(
        mentees=mentees,
        mentors=mentors,
        weights=program_weights(program),
        reverse=program.program_type == ProgramType.REVERSE,
        conflict_rules=program_conflict_rules(program),
        week=program_week(program),
        loads={str(k): v for k, v in loads.items()},
        limits=limits,
    )


def kept_embedder(
    *,
    mentees: Iterable[Mentee] = (),
    mentors: Iterable[Mentor] = (),
    inline_limit: int | None = None,
) -> Embedder:
    """The product's embedder, holding these records' goals (mentees) and expertise (mentors)
    as kept with their profiles: the core then embeds only what was not kept, in one batch
    (VectorsNotReady when a model would have to embed more than ``inline_limit`` texts)."""
    return profile_vectors_embedder(
        goals={int(m.id): m.goals for m in mentees if m.id.isdigit()},
        expertise={int(m.id): m.expertise for m in mentors if m.id.isdigit()},
        inline_limit=inline_limit,
    )


def _jsonable(record) -> dict:
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(record).items()
        if key not in IDENTITY_FIELDS
    }


def cohort_to_json(cohort: Cohort) -> dict:
    """The snapshot stored on a run: the records without any identity field."""
    return {
        "mentees": [_jsonable(m) for m in cohort.mentees],
        "mentors": [_jsonable(m) for m in cohort.mentors],
        "weights": cohort.weights,
        "reverse": cohort.reverse,
        "conflict_rules": list(cohort.conflict_rules),
        "week": cohort.week.isoformat(),
    }


def _record(cls, data: dict):
    names = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in data.items():
        if key in names and key not in IDENTITY_FIELDS:
            values[key] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def cohort_from_json(data: dict) -> Cohort:
    return Cohort(
        mentees=[_record(Mentee, m) for m in data.get("mentees", ())],
        mentors=[_record(Mentor, m) for m in data.get("mentors", ())],
        weights=dict(data.get("weights", {})),
        reverse=bool(data.get("reverse", False)),
        conflict_rules=tuple(data.get("conflict_rules", ())),
        # Runs stored before the week was kept were converted in the reference week.
        week=date.fromisoformat(data.get("week", REFERENCE_WEEK.isoformat())),
    )
