"""Reads about program limits and waitlists: how many hold a place in a role, and each
waitlisted enrolment's number in its line (one query for a whole page of rows)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role

# Holding a place: in the program, or offered a place that waits only for an admin's yes.
PLACE_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PENDING)
LIMIT_FIELDS = {Role.MENTEE: "mentee_limit", Role.MENTOR: "mentor_limit"}
OVER_LIMIT_NOTE = (
    "{taken} {role}s already hold a place, more than the limit of {limit}: nobody is removed, "
    "and new {role}s wait on the waitlist until fewer than {limit} hold one."
)


def role_limit(*, program: Program, role: str) -> int | None:
    """The most people of ``role`` holding a place; ``None``: no limit (admins never have one)."""
    field = LIMIT_FIELDS.get(Role(role)) if role in Role.values else None
    return getattr(program, field) if field else None


def places_taken(*, program: Program, role: str) -> int:
    return Enrolment.objects.filter(program=program, role=role, status__in=PLACE_STATUSES).count()


def role_is_full(*, program: Program, role: str) -> bool:
    """Whether someone coming into ``role`` now would wait (exact only under the program's
    lock; a page's hint without it)."""
    limit = role_limit(program=program, role=role)
    return limit is not None and places_taken(program=program, role=role) >= limit


def active_count(*, program: Program, role: str) -> int:
    return Enrolment.objects.filter(
        program=program, role=role, status=EnrolmentStatus.ACTIVE
    ).count()


def waitlist(*, program: Program, role: str) -> QuerySet[Enrolment]:
    """Who waits for a place in ``role``, first in line first."""
    return Enrolment.objects.filter(
        program=program, role=role, status=EnrolmentStatus.WAITLISTED
    ).order_by("waitlisted_at", "pk")


def enrolments_mark_waitlist_position(*, enrolments: list[Enrolment]) -> list[Enrolment]:
    """Set ``waitlist_position`` (1 for the first in line; ``None`` when not waitlisted) on
    each enrolment, in one query whatever their programs and roles."""
    waiting = [e.pk for e in enrolments if e.status == EnrolmentStatus.WAITLISTED]
    positions: dict[int, int] = {}
    if waiting:
        ahead = (
            Enrolment.objects.filter(
                program_id=OuterRef("program_id"),
                role=OuterRef("role"),
                status=EnrolmentStatus.WAITLISTED,
            )
            .filter(
                Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
                | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("program_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        positions = dict(
            Enrolment.objects.filter(pk__in=waiting)
            .annotate(ahead=Coalesce(Subquery(ahead), 0))
            .values_list("pk", "ahead")
        )
    for enrolment in enrolments:
        ahead_of_them = positions.get(enrolment.pk)
        # A mark for the page only (like an annotation), not a model field.
        enrolment.waitlist_position = (  # type: ignore[attr-defined]
            None if ahead_of_them is None else ahead_of_them + 1
        )
    return enrolments


@dataclass(frozen=True)
class RolePlaces:
    role: str
    limit: int
    taken: int
    waiting: int


def program_places(*, program: Program) -> list[RolePlaces]:
    """Each limited role's places, how many are taken and how many wait (one query; none when
    the program has no limit)."""
    limited = {
        role: limit
        for role in LIMIT_FIELDS
        if (limit := role_limit(program=program, role=role)) is not None
    }
    if not limited:
        return []
    rows = (
        Enrolment.objects.filter(program=program, role__in=list(limited))
        .values_list("role", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(role, status): n for role, status, n in rows}
    return [
        RolePlaces(
            role=role,
            limit=limit,
            taken=sum(counts.get((role, status), 0) for status in PLACE_STATUSES),
            waiting=counts.get((role, EnrolmentStatus.WAITLISTED), 0),
        )
        for role, limit in limited.items()
    ]


def waitlist_position(*, enrolment: Enrolment) -> int | None:
    """The enrolment's number on its waitlist (1: next in line); ``None`` when not on it."""
    enrolments_mark_waitlist_position(enrolments=[enrolment])
    return enrolment.waitlist_position  # type: ignore[attr-defined]


def program_limit_notes(*, program: Program) -> list[str]:
    """For each limited role holding more people than its limit (it was lowered): what that
    means, in the admin's words."""
    notes = []
    for role in LIMIT_FIELDS:
        limit = role_limit(program=program, role=role)
        if limit is None:
            continue
        taken = places_taken(program=program, role=role)
        if taken > limit:
            notes.append(OVER_LIMIT_NOTE.format(taken=taken, role=role, limit=limit))
    return notes
