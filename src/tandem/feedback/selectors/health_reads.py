"""Who reads relationship health and the admins' list of a program's mentorships by health:
the pair and the program's admins (``access_mentorship`` with ``OVERVIEW``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from tandem.feedback.models import (
    HealthState,
    Intervention,
    MentorshipHealth,
)
from tandem.mentorships.models import (
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.selectors import MentorshipAccess, access_mentorship
from tandem.people.models import User
from tandem.programs.models import Program
from tandem.programs.selectors import ProgramAccess, access_program

STATE_ORDER = (HealthState.STALLED, HealthState.AT_RISK, HealthState.ON_TRACK, HealthState.THRIVING)


def health_for_mentorship(*, mentorship: Mentorship) -> MentorshipHealth | None:
    """The health of a mentorship the caller was let in to (``access_mentorship`` with
    ``OVERVIEW``: the pair and the program's admins)."""
    return MentorshipHealth.objects.filter(mentorship=mentorship).first()


def access_mentorship_health(
    *, user: User | AnonymousUser, mentorship_id: int
) -> tuple[Mentorship, MentorshipHealth | None]:
    mentorship = access_mentorship(
        user=user, mentorship_id=mentorship_id, need=MentorshipAccess.OVERVIEW
    )
    return mentorship, health_for_mentorship(mentorship=mentorship)


@dataclass(frozen=True)
class HealthFilters:
    state: str = ""
    reason: str = ""
    search: str = ""


def access_program_for_health(*, user: User | AnonymousUser, program_id: int) -> Program:
    """The program, for its admins only (404 for anyone else)."""
    return access_program(user=user, program_id=program_id, need=ProgramAccess.ADMIN)


class HealthRows(Sequence[MentorshipHealth]):
    """A program's health list as a paginator (Django's or the API's) reads it, stalled first.
    Counted with one query grouped by state; a page is cut state by state, each in score
    order along the ``(program, state, score)`` index, so no query sorts the whole program;
    then only the page's rows are fetched with the pair joined."""

    def __init__(self, filtered: QuerySet[MentorshipHealth]) -> None:
        self._filtered = filtered.order_by()
        self._by_state: dict[str, int] | None = None

    def by_state(self) -> dict[str, int]:
        if self._by_state is None:
            rows = self._filtered.values("state").annotate(n=Count("pk")).values_list("state", "n")
            self._by_state = {str(state): int(n) for state, n in rows}
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
        ids: list[int] = []
        for state in STATE_ORDER:
            in_state = self.by_state().get(state, 0)
            if skip >= in_state:
                skip -= in_state
                continue
            if len(ids) >= wanted:
                break
            ordered = self._filtered.filter(state=state).order_by("score", "mentorship_id")
            ids += ordered.values_list("mentorship_id", flat=True)[skip : skip + wanted - len(ids)]
            skip = 0
        rows = MentorshipHealth.objects.filter(pk__in=ids).select_related(
            "mentorship", "mentorship__mentor", "mentorship__mentee"
        )
        found = {row.pk: row for row in rows}
        return [found[pk] for pk in ids if pk in found]


def health_list_for_program(
    *, program: Program, filters: HealthFilters = HealthFilters()
) -> HealthRows:
    """The health of the program's active mentorships, stalled first, then at risk, on track
    and thriving, lowest score first within each; a page is two queries and the count one."""
    qs = MentorshipHealth.objects.filter(program=program, mentorship__state=MentorshipState.ACTIVE)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.reason:
        # A text test, the same on SQLite and PostgreSQL (SQLite has no JSON containment).
        qs = qs.filter(signals__codes__icontains=f"|{filters.reason}|")
    term = filters.search.strip()
    if term:
        qs = qs.filter(
            Q(mentorship__mentor__first_name__icontains=term)
            | Q(mentorship__mentor__last_name__icontains=term)
            | Q(mentorship__mentor__email__icontains=term)
            | Q(mentorship__mentee__first_name__icontains=term)
            | Q(mentorship__mentee__last_name__icontains=term)
            | Q(mentorship__mentee__email__icontains=term)
        )
    return HealthRows(qs)


def health_counts_for_programs(*, program_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Active mentorships by health state per program (one query; for the admin home)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        MentorshipHealth.objects.filter(
            program_id__in=list(program_ids), mentorship__state=MentorshipState.ACTIVE
        )
        .values("program_id", "state")
        .annotate(n=Count("pk"))
        .values_list("program_id", "state", "n")
    )
    for program_id, state, n in rows:
        counts[program_id][state] = n
    return counts


def interventions_for_mentorship(*, mentorship: Mentorship) -> QuerySet[Intervention]:
    """Nudges, alerts and admin actions on a mentorship the caller was let in to."""
    return Intervention.objects.filter(mentorship=mentorship).select_related("actor")
