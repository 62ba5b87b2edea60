"""A program's mentors as the matching core's converted mentor side, kept between requests.

Converting thousands of mentors (profiles to records, records to arrays, expertise to text
vectors) takes seconds, and the self-serve ranked list needs all of them for every page a
mentee opens. So the conversion is kept, per *version* of what it is made of, in Django's
cache (shared by every process: the database cache, or Redis at scale) and in a few slots of
this process's memory (a copy, never the source of truth: any process rebuilds the same pool
from the database). The version is a fingerprint read with one aggregate query:

- the program's active mentee and mentor enrolments: how many, who, in which role, their
  changes, as the sum of their change times (joining, leaving, capacity, an import's update:
  a change stamped earlier than the latest one still counts);
- the sum of the mentors' profiles' change times (every profile write saves the profile, its skills
  and availability included, and imports stamp it too);
- who the enrolments exclude; the program's default capacity; the week the program meets
  in (availability becomes UTC with that week's offsets); the embedder in use (its name and
  fingerprint: the expertise vectors come from it, read where kept with the profiles).

With a model as the product's embedder, a pool is converted with it only when at most
``INLINE_LIMIT`` of its mentors' expertise texts lack a kept vector (an import's or the demo's
task has not run yet): otherwise it is converted with the built-in lexicon, so the whole list
is scored by one embedder and nobody waits for the model, marked not ``prepared``, and each
request checks (one query of the kept hashes) whether the vectors are there now.

What changes with every mentorship is read live instead of kept: the places left (open
mentorships), and the names and headlines shown. Ranking against the pool gives exactly the
ranking and reasons of converting everyone on each request (tests/matchruns/
test_recommendations_pool.py compares the two).

A pool holds its mentors' names and expertise, so each program has one, under a key that is
the program's alone, with its version beside it: a new version replaces the old one instead of
being kept next to it, and someone who leaves the program or deletes their account is erased
from it (``mentor_pools_forget``) once that commits, not a week later (docs/people.md); a
pool converted while that happened is not kept (``_keep``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, FloatField, Func, Q, Sum

from tandem.matching.embedders.choose import choose_embedder
from tandem.matching.mentor_side import MentorSide
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.cells import skill_slug
from tandem.matching.text import Embedder
from tandem.matchruns.adapters import kept_embedder, participants_for_program, program_week
from tandem.people.services.vectors import (
    INLINE_LIMIT,
    VectorsNotReady,
    product_embedder_key,
    profile_vectors_fill_soon,
)
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role

# Part of the cache key: change it whenever what is kept changes shape, so that a new
# release never unpickles an old release's pool.
POOL_FORMAT = 6
POOL_SECONDS = 7 * 24 * 3600  # the pool of a program nobody looks at leaves after a week
LOCAL_SLOTS = 4  # programs whose pool this process keeps in memory (a few MB each at 10,000)
_local: OrderedDict[str, Kept] = OrderedDict()
_local_lock = threading.Lock()


@dataclass(frozen=True)
class Tags:
    """Which mentor has which value of one field (skills offered, languages, time zone), as
    (mentor, value) pairs: the values a set of mentors has, without a loop over mentors."""

    names: tuple[str, ...]
    mentor: np.ndarray
    code: np.ndarray

    @classmethod
    def of(cls, values: Iterable[Iterable[str]], key: Callable[[str], str] = str) -> Tags:
        """Values with the same ``key`` are one (skills: one option per tag); ``names`` keeps
        each mentor's own spelling of each value they hold, in the order of ``mentor``."""
        codes: dict[str, int] = {}
        names: list[str] = []
        pairs = []
        for row, given in enumerate(values):
            for value in set(given):
                if value:
                    pairs.append((row, codes.setdefault(key(value), len(codes))))
                    names.append(value)
        mentor, codes_of = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
        return cls(names=tuple(names), mentor=mentor, code=codes_of)

    def among(self, chosen: np.ndarray) -> set[str]:
        """The values the ``chosen`` mentors (a mask) have, each as the first of them spells
        it: never in the spelling of a mentor the reader is not offered."""
        held = np.flatnonzero(chosen[self.mentor])
        _, first = np.unique(self.code[held], return_index=True)
        return {self.names[held[k]] for k in first.tolist()}


@dataclass(frozen=True)
class MentorPool:
    """Every active mentor of a program, converted (``side``), with their places before
    their open mentorships (``limits``, in the same order) and what the filters offer;
    ``prepared``: converted with the product's embedder (else with the built-in lexicon,
    while the model's vectors are being filled)."""

    side: MentorSide
    limits: np.ndarray
    index: dict[str, int]
    skills: Tags
    languages: Tags
    timezones: Tags
    prepared: bool = True

    @classmethod
    def of(cls, side: MentorSide, limits: Iterable[int], prepared: bool = True) -> MentorPool:
        mentors = side.mentors
        return cls(
            prepared=prepared,
            side=side,
            limits=np.fromiter(limits, dtype=np.int64, count=len(mentors)),
            index={mentor.id: k for k, mentor in enumerate(mentors)},
            skills=Tags.of((m.skills_offered for m in mentors), key=skill_slug),
            languages=Tags.of(m.languages for m in mentors),
            timezones=Tags.of((m.timezone,) for m in mentors),
        )

    @property
    def mentors(self) -> tuple[Mentor, ...]:
        return self.side.mentors

    def mentee_embedder(self, mentee: Mentee) -> Embedder:
        """The embedder the mentors were converted with, for ``mentee``'s goals (from the
        kept vector, or embedded now: one text)."""
        if self.prepared:
            return kept_embedder(mentees=[mentee])
        return choose_embedder("builtin")

    def places(self, loads: Mapping[str, int]) -> np.ndarray:
        """Places left per mentor, given open mentorships per mentor id."""
        places = self.limits.copy()
        for mentor_id, load in loads.items():
            k = self.index.get(mentor_id)
            if k is not None:
                places[k] -= load
        return np.maximum(places, 0)


Kept = tuple[str, MentorPool]  # the version a pool was built for, and the pool


class EpochSeconds(Func):
    """A moment as seconds since 1970, a number both databases can add up."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra,
        )


def _version(program: Program) -> str:
    mentor = Q(role=Role.MENTOR)
    # One query: the join on exclusions repeats an enrolment once per person it excludes,
    # which changes the counts' and sums' values but not that they change whenever the rows
    # do (no DISTINCT, which costs a sort).
    figures = Enrolment.objects.filter(
        program=program, status=EnrolmentStatus.ACTIVE, role__in=(Role.MENTEE, Role.MENTOR)
    ).aggregate(
        n=Count("pk"),
        mentors=Count("pk", filter=mentor),
        ids=Sum("person_id"),
        squares=Sum(F("person_id") * F("person_id")),
        mentor_ids=Sum("person_id", filter=mentor),
        # Sums, not the latest time: a change stamped before the latest one (a transaction
        # that commits late, a server whose clock is behind) still changes them.
        changed=Sum(EpochSeconds("updated_at")),
        profiles=Sum(EpochSeconds("person__profile__updated_at"), filter=mentor),
        excluded=Count("exclude"),
        excluded_ids=Sum("exclude"),
        excluded_by=Sum(F("exclude") * F("person_id")),
    )
    parts = (
        sorted(figures.items()),
        program.default_capacity,
        program_week(program).isoformat(),
        product_embedder_key(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _key(program_id: int) -> str:
    return f"matchruns:mentor-pool:{POOL_FORMAT}:{program_id}"


def _build(program: Program) -> MentorPool:
    cohort = participants_for_program(program=program, mentee_ids=(), skip_matched_mentees=False)
    pool = _prepared(cohort.mentors, [cohort.limits[m.id] for m in cohort.mentors], cohort.week)
    if pool is not None:
        return pool
    lexicon = MentorSide.build(
        cohort.mentors, embedder=choose_embedder("builtin"), week=cohort.week
    )
    return MentorPool.of(lexicon, (cohort.limits[m.id] for m in cohort.mentors), prepared=False)


def _prepared(mentors: Sequence[Mentor], limits: Iterable[int], week: date) -> MentorPool | None:
    """The mentors converted with the product's embedder, or None while more than
    INLINE_LIMIT of their texts lack a kept vector (only their hashes were read then)."""
    try:
        embedder = kept_embedder(mentors=mentors, inline_limit=INLINE_LIMIT)
    except VectorsNotReady as missing:
        profile_vectors_fill_soon(user_ids=missing.user_ids)
        return None
    return MentorPool.of(MentorSide.build(mentors, embedder=embedder, week=week), limits)


def mentor_pool(*, program: Program) -> MentorPool:
    """The program's mentors as they are now: from this process's memory, else the shared
    cache, else converted from the database (and kept in both, in place of an older version).
    A pool converted with the lexicon while the model's vectors were missing is converted again
    once they are kept."""
    version, key = _version(program), _key(program.pk)
    with _local_lock:
        local = _local.get(key)
    pool = local[1] if local is not None and local[0] == version else None
    if pool is not None and pool.prepared:
        with _local_lock:
            _local.move_to_end(key)
        return pool
    if pool is None:
        shared: Kept | None = cache.get(key)
        pool = shared[1] if shared is not None and shared[0] == version else None
    if pool is None:
        pool = _build(program)
        if not _keep(program, version, pool):
            return pool
    elif not pool.prepared:
        ready = _prepared(pool.mentors, pool.limits.tolist(), pool.side.week)
        if ready is not None:
            pool = ready
            if not _keep(program, version, pool):
                return pool
    with _local_lock:
        _local[key] = (version, pool)
        _local.move_to_end(key)
        while len(_local) > LOCAL_SLOTS:
            _local.popitem(last=False)
    return pool


def _keep(program: Program, version: str, pool: MentorPool) -> bool:
    """Keep ``pool`` in the shared cache unless the program changed while it was converted:
    then someone may have left or deleted their account meanwhile, and their erasure may have
    run before this write, so the pool is taken out again (and not kept in memory either).
    Whether it was kept."""
    key = _key(program.pk)
    cache.set(key, (version, pool), POOL_SECONDS)
    if _version(program) == version:
        return True
    cache.delete(key)
    return False


def mentor_pools_forget(*, program_ids: Iterable[int]) -> None:
    """Erase the kept pools of these programs (someone in them left or deleted their account:
    the pools hold their name and expertise), from the shared cache and this process's memory,
    once the transaction commits: a page read before then would keep the old rows again. The
    next page of each program converts its mentors anew."""
    keys = [_key(program_id) for program_id in set(program_ids)]

    def forget() -> None:
        cache.delete_many(keys)
        with _local_lock:
            for key in keys:
                _local.pop(key, None)

    if keys:
        transaction.on_commit(forget)
