"""Background jobs of mentorships. Each task takes an optional ISO ``now`` (JSON-friendly for
the task queue); ``run_periodic_jobs`` calls the plain ``*_run`` functions directly."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from tandem.mentorships import services


def _parse(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


def expire_requests_run(now: datetime) -> dict[str, int]:
    return {
        "reminded": services.requests_remind_expiring(now=now),
        "expired": services.requests_expire(now=now),
    }


def send_due_reminders_run(now: datetime) -> dict[str, int]:
    return {
        "meetings": services.meetings_remind(now=now),
        "overdue_action_items": services.action_items_remind_overdue(now=now),
    }


def midpoint_reviews_run(now: datetime) -> int:
    return services.mentorships_midpoint_review(now=now)


@task()
def expire_requests(now: str | None = None) -> dict[str, int]:
    return expire_requests_run(_parse(now))


@task()
def send_due_reminders(now: str | None = None) -> dict[str, int]:
    return send_due_reminders_run(_parse(now))


@task()
def midpoint_reviews(now: str | None = None) -> int:
    return midpoint_reviews_run(_parse(now))
