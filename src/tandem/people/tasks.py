"""Background jobs of people. ``people`` imports no app above it, so the periodic-jobs registry
(``tandem.notify.periodic``) is where this gets registered, by an app that may import people."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tandem.people.models import User
from tandem.people.services import profiles_refresh_availability_bulk, vectors
from tandem.people.services.closing import Former


def refresh_availability_run(now: datetime) -> int:
    """Keep every profile's UTC availability in step with this week's DST offsets."""
    day = now.astimezone(UTC).date() if timezone.is_aware(now) else now.date()
    return profiles_refresh_availability_bulk(reference_date=day)


def refresh_availability_daily(now: datetime) -> int:
    """The periodic-tick entry: refresh once a day however many workers tick.

    Offsets change at most once a day, so a daily claim in the shared cache is enough.
    """
    day = now.astimezone(UTC).date().isoformat()
    if not cache.add(f"people:availability-refresh:{day}", True, timeout=2 * 24 * 3600):
        return 0
    return refresh_availability_run(now)


@task()
def refresh_availability(now: str | None = None) -> int:
    return refresh_availability_run(datetime.fromisoformat(now) if now else timezone.now())


def profile_vectors_fill_run(now: datetime) -> int:
    """The periodic-tick entry: keep at most FILL_PER_TICK more profiles' vectors of a model
    (those an import's task has not reached yet, or all of them after TANDEM_TEXT_EMBEDDER
    changed), one worker at a time. The built-in lexicon needs none."""
    if vectors.runs_inline(vectors.product_embedder()):
        return 0
    claim = "people:vectors-fill"
    if not cache.add(claim, True, timeout=15 * 60):  # another worker is filling
        return 0
    try:
        return vectors.profile_vectors_fill(limit=vectors.FILL_PER_TICK)
    finally:
        cache.delete(claim)


PASSWORD_RESET_SUBJECT = "people/email/password_reset_subject.txt"
PASSWORD_RESET_BODY = "people/email/password_reset.txt"


@task()
def password_reset_send(email: str) -> int:
    """Email a reset link to each active account with ``email``; returns how many.

    The reset page only enqueues this, so it answers in the same time whether or not the
    address has an account (sending mail is the slow part). Links point at ``SITE_URL``.
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    accounts = len(list(form.get_users(form.cleaned_data["email"])))
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name=PASSWORD_RESET_SUBJECT,
        email_template_name=PASSWORD_RESET_BODY,
    )
    return accounts


def password_reset_requests_erase(*, user: User, former: Former) -> None:
    """A deleted account's address leaves the password-reset jobs kept in the database (the
    database backend keeps each job's argument, the address as typed, and its result, how many
    accounts it reached, after it ran; site staff read both in the Django admin). Matched as
    the reset matches an account: case and surrounding spaces aside."""
    address = former.email.strip().casefold()
    jobs = DBTaskResult.objects.filter(task_path=password_reset_send.module_path)
    erased = [
        pk
        for pk, job in jobs.values_list("pk", "args_kwargs").iterator()
        if [str(arg).strip().casefold() for arg in job["args"]] == [address]
    ]
    DBTaskResult.objects.filter(pk__in=erased).delete()
