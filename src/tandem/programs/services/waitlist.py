"""The waitlist. A program may limit how many mentees and mentors hold a place (active, or
awaiting approval). Whoever comes in while their role is full waits, in join order; each place
that frees goes to the first in line, in the transaction that freed it. Every function here
expects the program's row locked (``program_lock``), so two people cannot both take the last
place and a freed place is given once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.locking import lockable
from tandem.programs.models import Enrolment, EnrolmentStatus, Program
from tandem.programs.notices import (
    enrolment_pending_notify,
    waitlist_admitted_notify,
    waitlist_joined_notify,
)
from tandem.programs.selectors.waitlist import (
    LIMIT_FIELDS,
    active_count,
    places_taken,
    role_is_full,
    role_limit,
    waitlist,
    waitlist_position,
)

APPROVE_FULL = (
    "All {limit} {role} places are taken by active {role}s, so {name} cannot be approved now. "
    "Raise the {role} limit in the program settings, or pause or remove someone first."
)
REACTIVATE_FULL = (
    "All {limit} {role} places are taken, so {name} cannot come back now. Raise the {role} "
    "limit in the program settings (whoever is on the waitlist gets a freed place first), or "
    "pause or remove someone first."
)


def program_lock(*, program_id: int) -> Program:
    """The program's row, locked: the one lock every change of who holds a place takes first."""
    return lockable(Program.objects.all(), for_update=True).get(pk=program_id)


def enrolment_entry_fields(*, program: Program, role: str, approved: bool) -> dict[str, Any]:
    """The status (and waitlist fields) for someone coming into ``role``: active when their
    way in needs no approval, else awaiting approval; on the waitlist when the role is full.
    The caller holds ``program_lock`` until the enrolment is saved."""
    if role_is_full(program=program, role=role):
        return {
            "status": EnrolmentStatus.WAITLISTED,
            "waitlisted_at": timezone.now(),
            "waitlist_approved": approved,
        }
    return {"status": EnrolmentStatus.ACTIVE if approved else EnrolmentStatus.PENDING}


def waitlist_entered(*, enrolment: Enrolment) -> None:
    """Tell the admins someone joined the waitlist, with their number."""
    position = waitlist_position(enrolment=enrolment)
    if position is not None:
        waitlist_joined_notify(enrolment=enrolment, position=position)


def check_place_for(*, enrolment: Enrolment, action: str) -> None:
    """Refuse an admin's approve or reactivate that would go past the role's limit (approving
    keeps the count of places, so it is refused only when the active alone fill them)."""
    program, role = enrolment.program, enrolment.role
    limit = role_limit(program=program, role=role)
    if limit is None:
        return
    words = {"limit": limit, "role": role, "name": enrolment.person.display_name}
    if action == "approve" and active_count(program=program, role=role) >= limit:
        raise ApplicationError(APPROVE_FULL.format(**words), status=409)
    if action == "reactivate" and places_taken(program=program, role=role) >= limit:
        raise ApplicationError(REACTIVATE_FULL.format(**words), status=409)


def waitlist_admit(*, enrolment: Enrolment, status: str) -> Enrolment:
    """Take ``enrolment`` off the waitlist into ``status`` and tell them."""
    enrolment.status = status
    enrolment.waitlisted_at = None
    enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
    waitlist_admitted_notify(enrolment=enrolment)
    if status == EnrolmentStatus.PENDING:
        enrolment_pending_notify(enrolment=enrolment)
    return enrolment


def waitlist_fill(*, program: Program) -> list[Enrolment]:
    """Give every free place of each limited role to the first in its line (all of the line
    when the role has no limit any more); returns who got one."""
    admitted: list[Enrolment] = []
    for role in LIMIT_FIELDS:
        limit = role_limit(program=program, role=role)
        line = lockable(
            waitlist(program=program, role=role).select_related("program", "person"),
            for_update=True,
        )
        if limit is not None:
            free = limit - places_taken(program=program, role=role)
            if free <= 0:
                continue
            line = line[:free]
        for enrolment in line:
            status = (
                EnrolmentStatus.ACTIVE if enrolment.waitlist_approved else EnrolmentStatus.PENDING
            )
            admitted.append(waitlist_admit(enrolment=enrolment, status=status))
    return admitted
