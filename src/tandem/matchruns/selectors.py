"""Reads about match runs and mentor recommendations, scoped to what the caller may see.

Nothing here returns identity attributes: pages and the API get names, scores, reason texts
and aggregate figures only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from django.db.models import Avg, BooleanField, Count, ExpressionWrapper, F, Min, QuerySet

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.locking import lockable
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.cells import skill_slug
from tandem.matchruns import engine
from tandem.matchruns.adapters import Cohort, kept_embedder, participants_for_program
from tandem.matchruns.mentor_pool import mentor_pool
from tandem.matchruns.models import (
    MatchPair,
    MatchRun,
    MatchUnmatched,
)
from tandem.matchruns.review import out_of_date
from tandem.mentorships.models import OPEN_STATES, Mentorship
from tandem.mentorships.selectors import ended_early_partners
from tandem.people.models import User
from tandem.programs.models import Program
from tandem.programs.selectors import is_program_admin

RUN_NOT_FOUND = "No such match run."
NOT_SELF_SERVE = (
    "This program matches people in admin-run cohorts; your program admin will propose a mentor."
)
RECOMMENDATION_LIMIT = 200


def access_match_run(
    *, user: User, run_id: int, slug: str | None = None, for_update: bool = False
) -> MatchRun:
    """The run (of the program ``slug``, when given) if ``user`` administers its program;
    missing and forbidden look the same. ``for_update`` locks it (inside
    ``transaction.atomic`` only)."""
    qs = lockable(
        MatchRun.objects.select_related("program", "created_by", "parent"), for_update=for_update
    )
    if slug is not None:
        qs = qs.filter(program__slug=slug)
    run = qs.filter(pk=run_id).first()
    if run is None or not is_program_admin(user=user, program_id=run.program_id):
        raise NotFound(RUN_NOT_FOUND)
    return run


def match_run_list(*, program: Program) -> QuerySet[MatchRun]:
    return (
        MatchRun.objects.filter(program=program)
        .select_related("program", "created_by")
        .annotate(
            pair_count=Count("pairs"),
            is_out_of_date=ExpressionWrapper(out_of_date(), output_field=BooleanField()),
        )
        .order_by("-created_at", "-pk")
    )


def match_pair_list(*, run: MatchRun) -> QuerySet[MatchPair]:
    return (
        MatchPair.objects.filter(run=run)
        .select_related("mentee", "mentor")
        .order_by("-score", "pk")
    )


def match_unmatched_list(*, run: MatchRun) -> QuerySet[MatchUnmatched]:
    return MatchUnmatched.objects.filter(run=run).select_related("person").order_by("side", "pk")


@dataclass(frozen=True)
class Person:
    id: int
    name: str


def match_run_people(*, run: MatchRun) -> tuple[list[Person], list[Person]]:
    """Mentees and mentors of the run's snapshot, by name (for pin/forbid pickers)."""

    def people(side: str) -> list[Person]:
        found = [
            Person(id=int(r["id"]), name=r.get("name") or f"#{r['id']}")
            for r in run.inputs.get(side, ())
        ]
        return sorted(found, key=lambda p: p.name.lower())

    return people("mentees"), people("mentors")


@dataclass(frozen=True)
class RunSummary:
    mentees: int
    mentors: int
    matched: int
    unmatched: int
    mean_score: float | None
    min_score: float | None
    match_rate: float | None


def match_run_summary(*, run: MatchRun) -> RunSummary:
    """Quality figures over the whole cohort; none per opt-in group (docs/match-runs.md, "No
    group figures per run")."""
    figures = MatchPair.objects.filter(run=run).aggregate(
        matched=Count("pk"), mean=Avg("score"), low=Min("score")
    )
    mentees = len(run.inputs.get("mentees", ()))
    return RunSummary(
        mentees=mentees,
        mentors=len(run.inputs.get("mentors", ())),
        matched=figures["matched"],
        # A snapshot listing fewer mentees than were paired (runs written before the demo
        # recorded its cohorts) must not read as a negative count.
        unmatched=max(mentees - figures["matched"], 0),
        mean_score=figures["mean"],
        min_score=figures["low"],
        match_rate=(figures["matched"] / mentees) if mentees else None,
    )


@dataclass(frozen=True)
class PairChange:
    mentee: str
    mentee_id: int
    mentor_a: str | None
    score_a: float | None
    mentor_b: str | None
    score_b: float | None
    mentor_a_id: int | None = None
    mentor_b_id: int | None = None

    @property
    def delta(self) -> float | None:
        if self.score_a is None or self.score_b is None:
            return None
        return self.score_b - self.score_a


@dataclass(frozen=True)
class Comparison:
    run_a: MatchRun
    run_b: MatchRun
    summary_a: RunSummary
    summary_b: RunSummary
    changes: list[PairChange]
    same: int


def match_run_compare(*, run_a: MatchRun, run_b: MatchRun) -> Comparison:
    """Side by side: the mentees whose mentor differs, with score deltas, and the totals."""
    pairs_a = {p.mentee_id: p for p in match_pair_list(run=run_a)}
    pairs_b = {p.mentee_id: p for p in match_pair_list(run=run_b)}
    names = {
        int(r["id"]): r.get("name", "")
        for run in (run_a, run_b)
        for r in run.inputs.get("mentees", ())
    }
    changes, same = [], 0
    for mentee_id in sorted(
        set(pairs_a) | set(pairs_b) | set(names), key=lambda i: names.get(i, "").lower()
    ):
        a, b = pairs_a.get(mentee_id), pairs_b.get(mentee_id)
        either = a or b
        if either is None:
            continue
        if a is not None and b is not None and a.mentor_id == b.mentor_id:
            same += 1
            continue
        changes.append(
            PairChange(
                mentee=either.mentee.display_name,
                mentee_id=mentee_id,
                mentor_a=a.mentor.display_name if a else None,
                score_a=a.score if a else None,
                mentor_b=b.mentor.display_name if b else None,
                score_b=b.score if b else None,
                mentor_a_id=a.mentor_id if a else None,
                mentor_b_id=b.mentor_id if b else None,
            )
        )
    return Comparison(
        run_a=run_a,
        run_b=run_b,
        summary_a=match_run_summary(run=run_a),
        summary_b=match_run_summary(run=run_b),
        changes=changes,
        same=same,
    )


# --- Self-serve recommendations -------------------------------------------------------------


@dataclass(frozen=True)
class MentorFilters:
    skill: str = ""
    language: str = ""
    timezone: str = ""
    format: str = ""

    def keep(self, mentor: Mentor) -> bool:
        if self.skill and skill_slug(self.skill) not in {
            skill_slug(s) for s in mentor.skills_offered
        }:
            return False
        if self.language and self.language.lower() not in mentor.languages:
            return False
        if self.timezone and mentor.timezone != self.timezone:
            return False
        return not (self.format and mentor.format not in (self.format, "any", ""))


@dataclass(frozen=True)
class FilterOptions:
    skills: list[str]
    languages: list[str]
    timezones: list[str]


@dataclass(frozen=True)
class Recommendation:
    mentor_id: int
    name: str
    score: float
    explain: Callable[[], list[dict[str, str]]] = field(repr=False, compare=False)
    free_places: int
    headline: str = ""

    @cached_property
    def reasons(self) -> list[dict[str, str]]:
        """The fit row, then ``{"criterion", "text", "kind"}`` rows (worked out when read)."""
        return self.explain()


@dataclass(frozen=True)
class Recommendations:
    items: list[Recommendation]
    options: FilterOptions
    # Scored with the built-in lexicon: the model's vectors of some mentors are being filled.
    preparing: bool = False


def _as_seen_by(
    *, program: Program, mentee_id: int, mentor_ids: list[int] | None = None
) -> tuple[Cohort, Mentee | None]:
    """The program's mentors (or only ``mentor_ids``) and this one mentee as the core sees
    them (the same records for the ranked list and for one pair's reasons)."""
    cohort = participants_for_program(
        program=program, mentee_ids=[mentee_id], mentor_ids=mentor_ids, skip_matched_mentees=False
    )
    return cohort, cohort.mentee(str(mentee_id))


def pair_reasons(*, program: Program, mentor_id: int, mentee_id: int) -> list[dict[str, str]]:
    """Why this mentor and mentee fit (or not), scored as the ranked list scores them: the
    reasons a mentor reads before answering a request. A mentor who is full right now is
    scored as if they had a place (capacity is shown apart); a pair a hard rule keeps apart
    has no reasons."""
    cohort, mentee = _as_seen_by(program=program, mentee_id=mentee_id, mentor_ids=[mentor_id])
    mentor = cohort.mentor(str(mentor_id))
    if mentee is None or mentor is None:
        return []
    scored = replace(mentor, capacity=max(mentor.capacity, 1))
    ranked = engine.rank(
        cohort,
        mentee=mentee,
        mentors=[scored],
        limit=1,
        embedder=kept_embedder(mentees=[mentee], mentors=[scored]),
    )
    return ranked[0][2] if ranked else []


def mentor_recommendations(
    *, user: User, program: Program, filters: MentorFilters = MentorFilters()
) -> Recommendations:
    """Mentors with a free place, filtered first, then ranked for ``user`` by the core (in a
    program where mentees ask mentors themselves: self-serve, or a cohort program that allows
    direct requests; the caller has the mentee's ``access_program``).

    The mentors come converted from :func:`~tandem.matchruns.mentor_pool.mentor_pool`; only
    this mentee, the places left and the names shown are read now, in a bounded number of
    queries whatever the program's size."""
    if not program.takes_direct_requests:
        raise ApplicationError(NOT_SELF_SERVE, status=403)
    cohort, me = _as_seen_by(program=program, mentee_id=user.pk, mentor_ids=[])
    pool = mentor_pool(program=program)
    places = pool.places(cohort.loads)
    offered = places > 0
    for mentor_id in _not_offered(user=user, program=program) | {str(user.pk)}:
        if (k := pool.index.get(mentor_id)) is not None:
            offered[k] = False
    options = FilterOptions(
        skills=sorted(pool.skills.among(offered), key=str.lower),
        languages=sorted(pool.languages.among(offered)),
        timezones=sorted(pool.timezones.among(offered)),
    )
    capacity = np.where(offered, places, 0)
    if filters != MentorFilters():
        for k in np.flatnonzero(offered).tolist():
            if not filters.keep(pool.mentors[k]):
                capacity[k] = 0
    if me is None or not capacity.any():
        return Recommendations(items=[], options=options)
    ranked = engine.rank_side(
        cohort,
        mentee=me,
        side=pool.side,
        capacity=capacity,
        limit=RECOMMENDATION_LIMIT,
        searched_skill=filters.skill,
        embedder=pool.mentee_embedder(me),
    )
    # Names and headlines as they are now.
    shown = {
        person.pk: person
        for person in User.objects.filter(pk__in=[int(place.mentor_id) for place in ranked])
        .annotate(headline=F("profile__headline"))
        .only("first_name", "last_name", "email")
    }
    items = [
        Recommendation(
            mentor_id=int(place.mentor_id),
            name=shown[int(place.mentor_id)].display_name,
            score=place.score,
            explain=place.rows,
            free_places=int(capacity[pool.index[place.mentor_id]]),
            headline=shown[int(place.mentor_id)].headline or "",
        )
        for place in ranked
    ]
    return Recommendations(items=items, options=options, preparing=not pool.prepared)


def _not_offered(*, user: User, program: Program) -> set[str]:
    """Mentors not offered to ``user`` again: theirs now, and anyone whose mentorship with
    them ended early, either way round (requests to them are refused too)."""
    taken = {
        str(i)
        for i in Mentorship.objects.filter(
            program=program, mentee=user, state__in=OPEN_STATES
        ).values_list("mentor_id", flat=True)
    }
    return taken | {
        str(other) for other in ended_early_partners(program_id=program.pk, person_id=user.pk)
    }
