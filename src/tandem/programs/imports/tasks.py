"""Background work of participant imports: checking and writing a large file takes seconds of
CPU, which must not hold up the requests of everyone else served by the same process."""

from __future__ import annotations

from django_tasks import task

from tandem.programs.imports.emails import invitation_emails_send
from tandem.programs.imports.services import import_batch_apply, import_batch_check


@task()
def import_check_task(batch_id: int) -> str:
    """The dry run of one uploaded file; returns the batch's status afterwards."""
    batch = import_batch_check(batch_id=batch_id)
    return batch.status if batch else "gone"


@task()
def import_apply_task(batch_id: int) -> str:
    """The confirmed write of one checked file; returns the batch's status afterwards."""
    batch = import_batch_apply(batch_id=batch_id)
    return batch.status if batch else "gone"


# Below the default: 26,000 emails must not hold up the checks and writes (or a password reset)
# queued after them.
@task(priority=-10)
def import_invitations_send_task(invitation_ids: list[int], set_password_ids: list[int]) -> int:
    """Email one share of an import's invitations (queued on commit); returns how many."""
    return invitation_emails_send(invitation_ids=invitation_ids, set_password_ids=set_password_ids)
