"""Admins decide on many people waiting for approval at once: approve or decline them all in
one transaction, or change no one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus
from tandem.programs.selectors import ProgramAccess, access_program

BULK_ACTIONS = {"approve": EnrolmentStatus.ACTIVE, "decline": EnrolmentStatus.REMOVED}
BULK_MAX = 500
BULK_UNKNOWN_ACTION = "Unknown action {action!r}: use approve or decline."
BULK_NONE_SELECTED = "Select at least one person waiting for approval."
BULK_TOO_MANY = f"Choose at most {BULK_MAX} people at once."
BULK_NOT_FOUND = (
    "Nothing was changed: {who} not in this program (any more): {ids}. Reload the page and "
    "tick again."
)
BULK_NOT_PENDING = "{name} ({email}) is {status}, not awaiting approval"
BULK_REFUSED = "Nothing was changed: {count} of the {total} people could not be {done}: {who}."
DONE = {"approve": "approved", "decline": "declined"}
_MAX_ID = 2**63 - 1  # an id past the column's range is missing, not a database error


@transaction.atomic
def enrolment_set_status_bulk(
    *, user: User, program_id: int, enrolment_ids: list[int], action: str
) -> list[Enrolment]:
    """Approve (pending → active) or decline (pending → removed) the enrolments
    ``enrolment_ids`` of ``program_id``; returns them, changed.

    All or nothing: an id that is not this program's (unknown, deleted, or another program's:
    the same words) refuses with a 400 naming those ids (``fields["ids"]``); anyone no longer
    awaiting approval makes it refuse with a 409 naming each of them and why (``fields`` by
    ``ids.<id>``).
    """
    if action not in BULK_ACTIONS:
        message = BULK_UNKNOWN_ACTION.format(action=action)
        raise ApplicationError(message, fields={"action": message})
    program = access_program(user=user, program_id=program_id, need=ProgramAccess.ADMIN)
    wanted = list(dict.fromkeys(enrolment_ids))
    if not wanted:
        raise ApplicationError(BULK_NONE_SELECTED, fields={"ids": BULK_NONE_SELECTED})
    if len(wanted) > BULK_MAX:
        raise ApplicationError(BULK_TOO_MANY, fields={"ids": BULK_TOO_MANY})
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .filter(pk__in=[pk for pk in wanted if 0 < pk <= _MAX_ID], program=program)
        .select_related("person")
        .order_by("pk")
    }
    missing = [pk for pk in wanted if pk not in enrolments]
    if missing:
        who = "one of the ticked people is" if len(missing) == 1 else "some ticked people are"
        ids = ("id " if len(missing) == 1 else "ids ") + ", ".join(map(str, missing))
        message = BULK_NOT_FOUND.format(who=who, ids=ids)
        raise ApplicationError(message, fields={"ids": message})
    refused = {
        f"ids.{pk}": BULK_NOT_PENDING.format(
            name=e.person.display_name,
            email=e.person.email,
            status=e.get_status_display().lower(),
        )
        for pk, e in enrolments.items()
        if e.status != EnrolmentStatus.PENDING
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
    target, now = BULK_ACTIONS[action], timezone.now()
    Enrolment.objects.filter(pk__in=list(enrolments)).update(status=target, updated_at=now)
    changed = [enrolments[pk] for pk in wanted]
    for enrolment in changed:
        enrolment.status, enrolment.updated_at = target, now
    return changed
