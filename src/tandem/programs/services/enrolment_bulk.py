"""Admins decide on many waiting people at once: approve or decline those awaiting approval,
admit or remove those on the waitlist; all in one transaction, or change no one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tandem.core.api_types import storable_id
from tandem.core.exceptions import ApplicationError
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program
from tandem.programs.selectors import ProgramAccess, access_program
from tandem.programs.selectors.waitlist import active_count, role_limit
from tandem.programs.services.waitlist import waitlist_admit, waitlist_fill

PENDING, WAITLISTED = EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED
# action -> (statuses it may start from, status it leads to)
BULK_ACTIONS = {
    "approve": ((PENDING,), EnrolmentStatus.ACTIVE),
    "decline": ((PENDING, WAITLISTED), EnrolmentStatus.REMOVED),
    "admit": ((WAITLISTED,), EnrolmentStatus.ACTIVE),
}
BULK_MAX = 500
BULK_UNKNOWN_ACTION = "Unknown action {action!r}: use approve, decline or admit."
BULK_NONE_SELECTED = "Select at least one person awaiting approval or on the waitlist."
BULK_TOO_MANY = f"Choose at most {BULK_MAX} people at once."
BULK_NOT_FOUND = (
    "Nothing was changed: {who} not in this program (any more): {ids}. Reload the page and "
    "tick again."
)
BULK_NOT_PENDING = "{name} ({email}) is {status}, not awaiting approval"
BULK_NOT_WAITING = "{name} ({email}) is {status}, neither awaiting approval nor on the waitlist"
BULK_NOT_WAITLISTED = "{name} ({email}) is {status}, not on the waitlist"
NOT_STARTABLE = {
    "approve": BULK_NOT_PENDING,
    "decline": BULK_NOT_WAITING,
    "admit": BULK_NOT_WAITLISTED,
}
BULK_REFUSED = "Nothing was changed: {count} of the {total} people could not be {done}: {who}."
BULK_APPROVE_FULL = (
    "Nothing was changed: approving {count} {role}s would make {total} active, past the "
    "limit of {limit}. Raise the {role} limit in the program settings, or approve fewer."
)
DONE = {"approve": "approved", "decline": "declined", "admit": "admitted"}


@transaction.atomic
def enrolment_set_status_bulk(
    *, user: User, program_id: int, enrolment_ids: list[int], action: str
) -> list[Enrolment]:
    """Approve (pending → active), decline (pending or waitlisted → removed) or admit
    (waitlisted → active, past the limit: the admin's call) the enrolments ``enrolment_ids`` of
    ``program_id``; returns them, changed. Places that declining frees go to the waitlist.

    All or nothing: an id that is not this program's (unknown, deleted, or another program's:
    the same words) refuses with a 400 naming those ids (``fields["ids"]``); anyone no longer
    awaiting approval makes it refuse with a 409 naming each of them and why (``fields`` by
    ``ids.<id>``).
    """
    if action not in BULK_ACTIONS:
        message = BULK_UNKNOWN_ACTION.format(action=action)
        raise ApplicationError(message, fields={"action": message})
    program = access_program(
        user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
    )
    wanted = list(dict.fromkeys(enrolment_ids))
    if not wanted:
        raise ApplicationError(BULK_NONE_SELECTED, fields={"ids": BULK_NONE_SELECTED})
    if len(wanted) > BULK_MAX:
        raise ApplicationError(BULK_TOO_MANY, fields={"ids": BULK_TOO_MANY})
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .filter(pk__in=[pk for pk in wanted if storable_id(pk)], program=program)
        .select_related("person")
        .order_by("pk")
    }
    missing = [pk for pk in wanted if pk not in enrolments]
    if missing:
        who = "one of the ticked people is" if len(missing) == 1 else "some ticked people are"
        ids = ("id " if len(missing) == 1 else "ids ") + ", ".join(map(str, missing))
        message = BULK_NOT_FOUND.format(who=who, ids=ids)
        raise ApplicationError(message, fields={"ids": message})
    sources, target = BULK_ACTIONS[action]
    refused = {
        f"ids.{pk}": NOT_STARTABLE[action].format(
            name=e.person.display_name,
            email=e.person.email,
            status=e.status_words,
        )
        for pk, e in enrolments.items()
        if e.status not in sources
    }
    if refused:
        raise ApplicationError(
            BULK_REFUSED.format(
                count=len(refused),
                total=len(wanted),
                done=DONE[action],
                who="; ".join(refused.values()),
            ),
            fields=refused,
            status=409,
        )
    changed = [enrolments[pk] for pk in wanted]
    if action == "approve":
        _check_places_for_approval(program=program, enrolments=changed)
    if action == "admit":
        return [waitlist_admit(enrolment=e, status=target) for e in changed]
    now = timezone.now()
    Enrolment.objects.filter(pk__in=list(enrolments)).update(status=target, updated_at=now)
    for enrolment in changed:
        enrolment.status, enrolment.updated_at = target, now
    if action == "decline":  # the places they held go to the waitlist
        waitlist_fill(program=program)
    return changed


def _check_places_for_approval(*, program: Program, enrolments: list[Enrolment]) -> None:
    """Approving keeps the count of places, but never makes the active pass a role's limit."""
    for role in sorted({e.role for e in enrolments}):
        limit = role_limit(program=program, role=role)
        count = sum(e.role == role for e in enrolments)
        if limit is None:
            continue
        total = active_count(program=program, role=role) + count
        if total > limit:
            message = BULK_APPROVE_FULL.format(count=count, role=role, total=total, limit=limit)
            raise ApplicationError(message, status=409)
