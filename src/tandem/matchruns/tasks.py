"""Background work of match runs: solving a cohort can take a while, so it runs on a worker."""

from __future__ import annotations

from django_tasks import task

from tandem.matchruns.execution import match_run_execute


@task()
def match_run_task(run_id: int) -> str:
    """Solve one queued run; returns its final status."""
    return match_run_execute(run_id=run_id).status
