"""Who reads relationship health and the admins' list of a program's mentorships by health:
the pair and the program's admins (``access_mentorship`` with ``OVERVIEW``). Every health row
read here has its reasons as people read them (``reasons_as_read``): no points and no rank
that could give away a side's private check-in answers."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, Q, QuerySet, When

from tandem.core.search import contains_folded
from tandem.feedback.health import REASON_CODES, REASONS
from tandem.feedback.health.audience import from_answers, known_without_answers
from tandem.feedback.models import (
    HealthState,
    MentorshipHealth,
)
from tandem.feedback.selectors.health_history import side_of
from tandem.mentorships.models import (
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.selectors import MentorshipAccess, access_mentorship
from tandem.people.models import User
from tandem.programs.models import Program
from tandem.programs.selectors import ProgramAccess, access_program

STATE_ORDER = (HealthState.STALLED, HealthState.AT_RISK, HealthState.ON_TRACK, HealthState.THRIVING)
CODE_ORDER = {reason.code: n for n, reason in enumerate(REASON_CODES)}


def reason_concern(reason: Mapping[str, Any]) -> bool | None:
    """True for a concern, False for a strength, None for a note of no weight (a pause); a
    reason shown without its weight is what its code says."""
    if reason["weight"] is None:
        return REASONS[str(reason["code"])].concern
    weight = int(reason["weight"])
    return None if weight == 0 else weight < 0


def reasons_as_read(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored reasons as the pair and the admins read them (pages, API, nudges, alerts).

    A reason read from check-in answers (``ReasonCode.from_answers``) has no weight and a fixed
    place after the other concerns (or strengths), in code order: its points, or its rank among
    reasons whose points the pair can work out, would tell one side how the other answered
    (a mean of 2 or less weighs -20). The other reasons keep their order, heaviest first."""

    def place(reason: Mapping[str, Any]) -> tuple[int, int]:
        kind = {True: 0, False: 1, None: 2}[reason_concern(reason)]
        private = from_answers(reason)
        return kind, 1 + CODE_ORDER[str(reason["code"])] if private else 0

    return [
        {**reason, "weight": None} if from_answers(reason) else dict(reason)
        for reason in sorted(reasons, key=place)
    ]


def health_known_by(
    health: MentorshipHealth, *, mentorship: Mentorship, reader_id: int | None
) -> MentorshipHealth:
    """A copy of ``health`` as ``reader_id`` may know it. Either of the pair: the state, since
    when and the reasons of their own view (assessed without the other's answers, see
    ``services.health_sides``; their own answers' reasons are theirs to read), and as
    ``computed_at`` when that view last changed (a refresh's time would tell when the other
    answered). Anyone else (the program's admins): the full health. A row not refreshed since
    the views were added shows the pair ``known_without_answers`` until its next refresh."""
    known = copy.copy(health)
    side = side_of(mentorship, reader_id)
    view = health.views.get(side) if side else None
    if view is None:
        if side:
            known.state, kept = known_without_answers(health.state, health.reasons)
            known.reasons = reasons_as_read(kept)
        else:
            known.reasons = reasons_as_read(health.reasons)
        return known
    known.state = view["state"]
    known.state_since = datetime.fromisoformat(view["state_since"])
    known.computed_at = datetime.fromisoformat(view.get("changed_at", view["state_since"]))
    known.reasons = reasons_as_read(view["reasons"])
    return known


TALK_IT_THROUGH = (
    "Take a few minutes together to talk about how the mentorship is going and what you each "
    "expect from it."
)


def nudge_concern_for(
    row: MentorshipHealth, mentorship: Mentorship, person: User
) -> dict[str, object]:
    """The concern ``person``'s nudge names: the top one of their view (``health_known_by``),
    else an invitation to talk."""
    readable = health_known_by(row, mentorship=mentorship, reader_id=person.pk).reasons
    concerns = [reason for reason in readable if reason_concern(reason) is True]
    return concerns[0] if concerns else {"code": "", "text": TALK_IT_THROUGH, "weight": 0}


def _as_read(health: MentorshipHealth) -> MentorshipHealth:
    health.reasons = reasons_as_read(health.reasons)
    return health


def health_for_mentorship(
    *, mentorship: Mentorship, reader: User | AnonymousUser
) -> MentorshipHealth | None:
    """The health of a mentorship the caller was let in to (``access_mentorship`` with
    ``OVERVIEW``: the pair and the program's admins), as ``reader`` may know it."""
    health = MentorshipHealth.objects.filter(mentorship=mentorship).first()
    if health is None:
        return None
    return health_known_by(health, mentorship=mentorship, reader_id=reader.pk)


def access_mentorship_health(
    *, user: User | AnonymousUser, mentorship_id: int
) -> tuple[Mentorship, MentorshipHealth | None]:
    mentorship = access_mentorship(
        user=user, mentorship_id=mentorship_id, need=MentorshipAccess.OVERVIEW
    )
    return mentorship, health_for_mentorship(mentorship=mentorship, reader=user)


@dataclass(frozen=True)
class HealthFilters:
    state: str = ""
    reason: str = ""
    search: str = ""


def access_program_for_health(*, user: User | AnonymousUser, program_id: int) -> Program:
    """The program, for its admins only (404 for anyone else)."""
    return access_program(user=user, program_id=program_id, need=ProgramAccess.ADMIN)


def _own_mentorship_ids(program: Program, reader_id: int | None) -> list[int]:
    """The program's active mentorships ``reader_id`` is one of the pair of (one small query on
    the mentorships' own indexes; none for most admins)."""
    theirs = Mentorship.objects.filter(
        Q(mentor_id=reader_id) | Q(mentee_id=reader_id),
        program=program,
        state=MentorshipState.ACTIVE,
    )
    return list(theirs.values_list("pk", flat=True))


def _known_rows(qs: QuerySet[MentorshipHealth], reader_id: int | None) -> list[MentorshipHealth]:
    """``qs``'s rows as ``reader_id`` knows them (``health_known_by``), the pair joined."""
    rows = qs.select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
    return [
        health_known_by(health, mentorship=health.mentorship, reader_id=reader_id)
        for health in rows
    ]


def _list_place(health: MentorshipHealth) -> tuple[datetime, int]:
    return health.state_since, health.mentorship_id


def _comes_before(health: MentorshipHealth) -> Q:
    """The rows of the same state listed before ``health`` (longest in the state first)."""
    return Q(state_since__lt=health.state_since) | Q(
        state_since=health.state_since, mentorship_id__lt=health.mentorship_id
    )


class HealthRows(Sequence[MentorshipHealth]):
    """A program's health list as a paginator (Django's or the API's) reads it, stalled first.
    Counted with one query grouped by state; a page is cut state by state, each longest in
    that state first along the ``(program, state, state_since)`` index (never by score, which
    would rank pairs by their private answers), so no query sorts the whole program; then
    only the page's rows are fetched with the pair joined.

    ``own``: the reader's own pairs, as the reader may know them (``health_known_by``), already
    filtered; they are placed among the ``filtered`` rows by their known state and since."""

    def __init__(
        self, filtered: QuerySet[MentorshipHealth], own: Sequence[MentorshipHealth] = ()
    ) -> None:
        self._filtered = filtered.order_by()
        self._own = sorted(own, key=_list_place)
        self._by_state: dict[str, int] | None = None

    def by_state(self) -> dict[str, int]:
        if self._by_state is None:
            rows = self._filtered.values("state").annotate(n=Count("pk")).values_list("state", "n")
            self._by_state = {str(state): int(n) for state, n in rows}
            for health in self._own:
                self._by_state[health.state] = self._by_state.get(health.state, 0) + 1
        return self._by_state

    def count(self) -> int:  # type: ignore[override]  # Paginator's count, not Sequence's
        return sum(self.by_state().get(state, 0) for state in STATE_ORDER)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> MentorshipHealth: ...

    @overload
    def __getitem__(self, index: slice) -> list[MentorshipHealth]: ...

    def __getitem__(self, index: int | slice) -> MentorshipHealth | list[MentorshipHealth]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        skip = index.start or 0
        wanted = (self.count() if index.stop is None else index.stop) - skip
        page: list[int | MentorshipHealth] = []
        for state in STATE_ORDER:
            in_state = self.by_state().get(state, 0)
            if skip >= in_state:
                skip -= in_state
                continue
            if len(page) >= wanted:
                break
            page += self._in_state(state, skip, min(in_state, skip + wanted - len(page)))
            skip = 0
        ids = [item for item in page if isinstance(item, int)]
        rows = MentorshipHealth.objects.filter(pk__in=ids).select_related(
            "mentorship", "mentorship__mentor", "mentorship__mentee"
        )
        found: dict[int, MentorshipHealth] = {row.pk: _as_read(row) for row in rows}
        return [
            item if isinstance(item, MentorshipHealth) else found[item]
            for item in page
            if isinstance(item, MentorshipHealth) or item in found
        ]

    def _in_state(self, state: str, start: int, stop: int) -> list[int | MentorshipHealth]:
        """Places ``start`` to ``stop`` of one state: the others' ids, the reader's own rows."""
        ordered = self._filtered.filter(state=state).order_by("state_since", "mentorship_id")
        others = ordered.values_list("mentorship_id", flat=True)
        own = [health for health in self._own if health.state == state]
        if not own:
            return list(others[start:stop])
        placed = {ordered.filter(_comes_before(h)).count() + n: h for n, h in enumerate(own)}
        first = start - sum(1 for place in placed if place < start)
        taken = iter(others[first : stop - sum(1 for place in placed if place < stop)])
        found = [
            placed[place] if place in placed else next(taken, None) for place in range(start, stop)
        ]
        return [item for item in found if item is not None]


def _reason_filter(reason: str) -> Q:
    # A text test, the same on SQLite and PostgreSQL (SQLite has no JSON containment).
    return Q(signals__codes__icontains=f"|{reason}|")


def _shown(health: MentorshipHealth, filters: HealthFilters) -> bool:
    """Whether a row as its reader knows it passes the state and reason filters."""
    codes = {str(reason["code"]) for reason in health.reasons}
    return (not filters.state or health.state == filters.state) and (
        not filters.reason or filters.reason in codes
    )


def health_list_for_program(
    *, program: Program, reader_id: int | None, filters: HealthFilters = HealthFilters()
) -> HealthRows:
    """The health of the program's active mentorships, stalled first, then at risk, on track
    and thriving, longest in its state first within each; a page is two queries and the count
    one, plus one to find the reader's own pairs (and, if any, one to read them and one per
    own pair on the page to place it).

    A pair ``reader_id`` is one of (an admin who also mentors) is listed, filtered and placed
    as the reader knows it (``health_known_by``: their own side's view), never by the full
    health: that would give away the other side's private answers."""
    qs = MentorshipHealth.objects.filter(program=program, mentorship__state=MentorshipState.ACTIVE)
    term = filters.search.strip()
    if term:
        people = ("mentorship__mentor", "mentorship__mentee")
        fields = [
            f"{who}__{name}" for who in people for name in ("first_name", "last_name", "email")
        ]
        qs = qs.filter(contains_folded(term, *fields))
    own_ids = _own_mentorship_ids(program, reader_id)
    own = _known_rows(qs.filter(mentorship_id__in=own_ids), reader_id) if own_ids else []
    others = qs.exclude(mentorship_id__in=own_ids) if own_ids else qs
    if filters.state:
        others = others.filter(state=filters.state)
    if filters.reason:
        others = others.filter(_reason_filter(filters.reason))
    return HealthRows(others, own=[health for health in own if _shown(health, filters)])


def health_counts_for_programs(
    *, program_ids: Sequence[int], reader_id: int | None
) -> dict[int, dict[str, int]]:
    """Active mentorships by health state per program, each as ``reader_id`` knows it (for the
    admin home and the health list's counts): one grouped query in which the reader's own
    pairs come out one by one, then, only if there are any, one to read them as the reader
    knows them."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    active = MentorshipHealth.objects.filter(
        program_id__in=list(program_ids), mentorship__state=MentorshipState.ACTIVE
    )
    theirs = Q(mentorship__mentor_id=reader_id) | Q(mentorship__mentee_id=reader_id)
    rows = (
        active.annotate(own=Case(When(theirs, then=F("mentorship_id")), default=None))
        .values("program_id", "state", "own")
        .annotate(n=Count("pk"))
        .values_list("program_id", "state", "own", "n")
    )
    own_ids = []
    for program_id, state, own, n in rows:
        if own is None:
            counts[program_id][state] = counts[program_id].get(state, 0) + n
        else:
            own_ids.append(own)
    for health in (
        _known_rows(active.filter(mentorship_id__in=own_ids), reader_id) if own_ids else []
    ):
        counts[health.program_id][health.state] = counts[health.program_id].get(health.state, 0) + 1
    return counts
