"""Background jobs of notify: the daily digest (and the day's reminder of re-armed notices),
and the pruning of finished background jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from tandem.notify.models import Notification, NotificationPreference
from tandem.notify.periodic import run_periodic_jobs
from tandem.notify.services import digest_send

DIGEST_HOUR_UTC = 7
# How long a finished background job stays in the database: long enough to look into one that
# failed, no longer (each keeps its arguments, such as the address a password reset was asked
# for, and its result, such as how many accounts that reached; site staff read both).
FINISHED_JOBS_KEPT = timedelta(days=2)


def _parse(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


def digests_run(now: datetime, *, force: bool = False) -> int:
    """Send each digest subscriber one email a day, from ``DIGEST_HOUR_UTC`` on."""
    if not force and now.astimezone(UTC).hour < DIGEST_HOUR_UTC:
        return 0
    sent = 0
    for preference in NotificationPreference.objects.filter(daily_digest=True).select_related(
        "user"
    ):
        if digest_send(user=preference.user, now=now):
            sent += 1
    for user in _rearmed_recipients():
        if digest_send(user=user, now=now, rearmed_only=True):
            sent += 1
    return sent


def _rearmed_recipients() -> QuerySet:
    """People emailed as news comes who have an unread topic notice rewritten after its email
    (``notify_refresh`` re-armed it): the daily run tells them of the latest once."""
    waiting = (
        Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
        .exclude(topic="")
        .values("recipient_id")
    )
    return (
        get_user_model()
        .objects.filter(pk__in=waiting)
        .exclude(notification_preference__daily_digest=True)
        .order_by("pk")
    )


def finished_jobs_prune(now: datetime) -> int:
    """Delete the background jobs that finished more than ``FINISHED_JOBS_KEPT`` ago, whatever
    their outcome; nothing in Tandem reads a job's result after it ran. Returns how many."""
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - FINISHED_JOBS_KEPT,
    )
    deleted, _ = finished.delete()
    return deleted


@task()
def send_digests(now: str | None = None, force: bool = False) -> int:
    return digests_run(_parse(now), force=force)


@task()
def periodic_tick(now: str | None = None) -> dict:
    """Every periodic job once (what ``manage.py tandem_tick`` runs)."""
    return {name: str(result) for name, result in run_periodic_jobs(_parse(now)).items()}
