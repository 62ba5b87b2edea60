"""What the admin home shows of each program an admin runs: people by enrolment stage, the
first few awaiting approval with their join answers, and open personal invitations.

Every read here answers for a whole page of programs at once, in a fixed number of queries,
and only for the programs the caller administers: a program id the caller does not run is
left out, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Model, OrderBy, Q, QuerySet
from django.utils import timezone

from tandem.people.models import User
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    ParticipantInvitation,
    Program,
    Role,
)
from tandem.programs.selectors import program_list_administered_by

M = TypeVar("M", bound=Model)

# How many items of one kind a program's section lists before "see all".
ITEMS_PER_PROGRAM = 5


def administered_among(
    *, user: User | AnonymousUser, program_ids: Iterable[int]
) -> QuerySet[Program, Any]:
    """The ids of ``program_ids`` that ``user`` administers, as a subquery (no round trip):
    what every per-program read of the admin home filters by."""
    ids = [pk for pk in program_ids if isinstance(pk, int)]
    return program_list_administered_by(user=user).filter(pk__in=ids).values("pk")


@dataclass(frozen=True)
class Shortlist(Generic[M]):
    """The first few rows of one kind for one program, and how many there are in all."""

    items: list[M] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def first_per_program(
    queryset: QuerySet[M], *, order_by: list[OrderBy], limit: int = ITEMS_PER_PROGRAM
) -> dict[int, Shortlist[M]]:
    """The first ``limit`` rows of ``queryset`` for each program (in ``order_by``), and each
    program's total, in two queries for any number of programs: the narrow (id, program) pairs
    of every matching row, then the chosen rows. (Filtering on a window function would be one
    query, but Django builds it at several times the cost of running both.)"""
    keys = queryset.order_by("program_id", *order_by).values_list("pk", "program_id")
    chosen: dict[int, list[int]] = {}
    totals: dict[int, int] = {}
    for pk, program_id in keys:
        totals[program_id] = totals.get(program_id, 0) + 1
        if totals[program_id] <= limit:
            chosen.setdefault(program_id, []).append(pk)
    rows = queryset.in_bulk([pk for pks in chosen.values() for pk in pks]) if chosen else {}
    return {
        program_id: Shortlist(
            items=[rows[pk] for pk in pks if pk in rows], total=totals[program_id]
        )
        for program_id, pks in chosen.items()
    }


def _stage_table() -> dict[str, dict[str, int]]:
    return {role: dict.fromkeys(EnrolmentStatus.values, 0) for role in Role.values}


@dataclass
class ProgramPeople:
    """One program's people by enrolment stage, for its admins."""

    # role -> enrolment status -> count
    enrolments: dict[str, dict[str, int]] = field(default_factory=_stage_table)
    # role -> personal invitations sent and not yet answered, withdrawn or expired
    invited: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Role.values, 0))
    # the first few awaiting approval, oldest first, with their join answers
    pending: Shortlist[Enrolment] = field(default_factory=Shortlist)


def program_people_for_admin(
    *, user: User | AnonymousUser, program_ids: Iterable[int]
) -> dict[int, ProgramPeople]:
    """``ProgramPeople`` for each of ``program_ids`` the caller administers (four queries;
    every such program has an entry, its admins' own enrolments being counted)."""
    allowed = administered_among(user=user, program_ids=program_ids)
    people: dict[int, ProgramPeople] = {}
    counts = (
        Enrolment.objects.filter(program__in=allowed)
        .values("program_id", "role", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counts:
        entry = people.setdefault(row["program_id"], ProgramPeople())
        entry.enrolments[row["role"]][row["status"]] = row["n"]
    now = timezone.now()
    invitations = (
        ParticipantInvitation.objects.filter(
            program__in=allowed,
            sent_at__isnull=False,  # held or scheduled ones have invited nobody yet
            accepted_at=None,
            declined_at=None,
            withdrawn_at=None,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values("program_id", "role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for invited in invitations:
        entry = people.setdefault(invited["program_id"], ProgramPeople())
        entry.invited[invited["role"]] = invited["n"]
    waiting = first_per_program(
        Enrolment.objects.filter(program__in=allowed, status=EnrolmentStatus.PENDING)
        .select_related("person")
        .only(
            "program_id",
            "role",
            "status",
            "answers",
            "created_at",
            "person__email",
            "person__first_name",
            "person__last_name",
        ),
        order_by=[F("created_at").asc(), F("pk").asc()],
    )
    for program_id, rows in waiting.items():
        people.setdefault(program_id, ProgramPeople()).pending = rows
    return people
