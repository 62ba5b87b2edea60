"""Background work of participant imports: checking and writing a large file takes seconds of
CPU, which must not hold up the requests of everyone else served by the same process. (The
invitation emails have their task in ``emails``: the write queues them.)"""

from __future__ import annotations

from django_tasks import task

from tandem.programs.imports.execution import import_batch_apply, import_batch_check


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
