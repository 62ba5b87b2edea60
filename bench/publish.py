"""Publishing a cohort match run: ``match_run_publish`` with N pairs, timed and its queries counted.

Usage::

    .venv/bin/python bench/publish.py [--pairs 120 1000]
    DATABASE_URL=postgres://... .venv/bin/python bench/publish.py   # on PostgreSQL

Builds a fresh database (a temporary SQLite file unless ``DATABASE_URL`` is set; that database
is emptied first). For each N it writes, with bulk inserts (a benchmark's setup, not a path
users take), a program with its admin, N mentees and N mentors (one place each) with profiles
and a finished draft run of N pairs; then publishes the run as the admin, outside any test
transaction, so the commit and its on-commit work (live pushes, emails or their task) count.

A first publish of 5 pairs warms up what a running server has warm already.

Prints per N: wall and CPU seconds of this process (the database server's own time shows in
the wall time only), the SQL queries the publish made, and the rows it created.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from django_env import django_ready  # noqa: E402 - bench/django_env.py, beside this file
from pages import counting  # noqa: E402 - bench/pages.py, beside this file


def build(n: int, tag: str):
    """A program, its admin and a finished draft run pairing mentee k with mentor k."""
    from django.utils import timezone

    from tandem.matchruns.models import MatchPair, MatchRun, RunStatus
    from tandem.people.models import Profile, User
    from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role

    program = Program.objects.create(name=f"Publish bench {tag}", slug=f"publish-bench-{tag}")
    admin = User.objects.create(
        email=f"admin-{tag}@bench.test", username=f"admin-{tag}@bench.test", first_name="Ada"
    )
    people = User.objects.bulk_create(
        User(
            email=f"{tag}-{k:05d}@bench.test",
            username=f"{tag}-{k:05d}@bench.test",
            first_name=f"Person{k:05d}",
            password="!",
        )
        for k in range(2 * n)
    )
    mentees, mentors = people[:n], people[n:]
    Profile.objects.bulk_create(
        Profile(user=person, goals="Lead a design review on my own. Then more.")
        for person in [admin, *people]
    )
    Enrolment.objects.bulk_create(
        [Enrolment(program=program, person=admin, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE)]
        + [
            Enrolment(program=program, person=p, role=Role.MENTEE, status=EnrolmentStatus.ACTIVE)
            for p in mentees
        ]
        + [
            Enrolment(
                program=program,
                person=p,
                role=Role.MENTOR,
                status=EnrolmentStatus.ACTIVE,
                capacity=1,
            )
            for p in mentors
        ]
    )
    run = MatchRun.objects.create(
        program=program, created_by=admin, status=RunStatus.DONE, finished_at=timezone.now()
    )
    MatchPair.objects.bulk_create(
        MatchPair(run=run, mentee=a, mentor=b, score=0.5)
        for a, b in zip(mentees, mentors, strict=True)
    )
    return admin, run


def measure(n: int, tag: str) -> None:
    from django.db import connection

    from tandem.matchruns.models import RunStatus
    from tandem.matchruns.services import match_run_publish
    from tandem.mentorships.models import AgreementVersion, Mentorship, MentorshipEvent
    from tandem.notify.models import Notification

    admin, run = build(n, tag)
    notices_before = Notification.objects.count()
    queries: list[str] = []
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counting(queries)):
        published = match_run_publish(user=admin, run=run)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert published.status == RunStatus.PUBLISHED
    made = Mentorship.objects.filter(match_run_ref=str(run.pk))
    rows = {
        "mentorships": made.count(),
        "agreements": AgreementVersion.objects.filter(mentorship__in=made).count(),
        "events": MentorshipEvent.objects.filter(mentorship__in=made).count(),
        "notifications": Notification.objects.count() - notices_before,
    }
    assert rows["mentorships"] == n, rows
    print(
        f"N={n:>5,}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, {len(queries):>6,} queries, "
        f"{wall / n * 1000:6.2f} ms per pair; rows {rows}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[120, 1000])
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="tandem-bench-publish-")
    django_ready(TANDEM_VAR_DIR=var_dir)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    print("warm-up (imports, URL resolver, channel layer; not a figure):", end=" ")
    measure(5, "warm")
    for k, n in enumerate(args.pairs):
        measure(n, f"r{k}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
