"""The periodic jobs registry: apps register their jobs in ``AppConfig.ready`` so that
``run_periodic_jobs`` (and ``manage.py tandem_tick``) runs them all without notify importing
the apps above it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger(__name__)

_JOBS: dict[str, Callable[[datetime], object]] = {}


def register(name: str, job: Callable[[datetime], object]) -> None:
    _JOBS[name] = job


def registered_jobs() -> dict[str, Callable[[datetime], object]]:
    return dict(_JOBS)


def run_periodic_jobs(now: datetime) -> dict[str, object]:
    """Run every registered job for ``now``; one failing job does not stop the others."""
    results: dict[str, object] = {}
    for name, job in sorted(_JOBS.items()):
        try:
            results[name] = job(now)
        except Exception:  # noqa: BLE001 - report and carry on with the next job
            logger.exception("Periodic job %s failed", name)
            results[name] = "failed"
    return results
