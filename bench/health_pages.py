"""The health oversight page at scale: a program with 10,000 active mentorships.

Usage::

    .venv/bin/python bench/health_pages.py [--mentorships 10000] [--requests 40]
    DATABASE_URL=postgres://... .venv/bin/python bench/health_pages.py   # on PostgreSQL

Builds a fresh database (a temporary SQLite file unless ``DATABASE_URL`` is set; that database
is emptied first), writes the people, mentorships, agreements, some meetings, messages and
action items with bulk inserts (a benchmark's setup, not a path users take), then:

1. recomputes every mentorship's health through ``health_refresh`` (the daily sweep's work),
   timing it and counting its queries per batch;
2. times, as the program's admin through Django's test client (every middleware, template and
   query), the program's health page (first page, a deep page, each filter, a search), the
   API list and a mentorship page with its health panel.

Prints median and p95 per page against the 200 ms median target and the SQL queries each
request makes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from django_env import django_ready  # noqa: E402 - bench/django_env.py, beside this file
from pages import counting, time_page  # noqa: E402 - bench/pages.py, beside this file

TARGET_MS = 200.0


def build(n: int, seed: int):
    """A program, its admin and ``n`` active mentorships with varied histories."""
    from datetime import timedelta

    from django.utils import timezone

    from tandem.mentorships.models import (
        ActionItem,
        AgreementVersion,
        Meeting,
        MeetingFormat,
        Mentorship,
        MentorshipState,
    )
    from tandem.messaging.models import Conversation, Message
    from tandem.people.models import Profile, User
    from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role

    rng = random.Random(seed)
    now = timezone.now()
    program = Program.objects.create(name="Health bench", slug="health-bench")
    admin = User.objects.create(
        email="admin@bench.test", username="admin@bench.test", first_name="Ada", last_name="Admin"
    )
    people = User.objects.bulk_create(
        User(
            email=f"p{k:06d}@bench.test",
            username=f"p{k:06d}@bench.test",
            first_name=rng.choice(["Mei", "Rahul", "Sofia", "Elif", "Ana", "Kofi", "Lena"]),
            last_name=f"Person{k:06d}",
            password="!",
        )
        for k in range(2 * n)
    )
    Profile.objects.bulk_create(Profile(user=person) for person in [admin, *people])
    Enrolment.objects.bulk_create(
        [Enrolment(program=program, person=admin, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE)]
        + [
            Enrolment(
                program=program,
                person=person,
                role=Role.MENTOR if k % 2 == 0 else Role.MENTEE,
                status=EnrolmentStatus.ACTIVE,
            )
            for k, person in enumerate(people)
        ]
    )
    mentorships = Mentorship.objects.bulk_create(
        Mentorship(
            program=program,
            mentor=people[2 * k],
            mentee=people[2 * k + 1],
            state=MentorshipState.ACTIVE,
            activated_at=now - timedelta(days=rng.randint(20, 150)),
        )
        for k in range(n)
    )
    AgreementVersion.objects.bulk_create(
        AgreementVersion(
            mentorship=m,
            number=1,
            content={"cadence": rng.choice(["weekly", "biweekly", "monthly"])},
            signed_by_mentor_at=now,
            signed_by_mentee_at=now,
        )
        for m in mentorships
    )
    meetings, messages, items = [], [], []
    conversations = Conversation.objects.bulk_create(
        Conversation(program=program, mentor=m.mentor, mentee=m.mentee, mentorship=m)
        for m in mentorships
    )
    for m, conversation in zip(mentorships, conversations, strict=True):
        fading = rng.random() < 0.3
        for _ in range(rng.randint(0, 2) if fading else rng.randint(2, 6)):
            meetings.append(
                Meeting(
                    mentorship=m,
                    starts_at=now - timedelta(days=rng.randint(1, 90 if fading else 30)),
                    duration_minutes=45,
                    format=MeetingFormat.VIDEO,
                )
            )
        for j in range(rng.randint(0, 6)):
            messages.append(
                Message(
                    conversation=conversation,
                    sender=m.mentor if j % 2 == 0 else m.mentee,
                    client_id=f"b{j}",
                    body="hello",
                )
            )
        if fading:
            items.append(
                ActionItem(
                    mentorship=m,
                    owner=m.mentee,
                    description="Read",
                    due_on=(now - timedelta(days=10)).date(),
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    Message.objects.bulk_create(messages, batch_size=5000)
    ActionItem.objects.bulk_create(items, batch_size=5000)
    return program, admin, mentorships


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentorships", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="tandem-bench-health-")
    django_ready(TANDEM_VAR_DIR=var_dir)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tandem.feedback.models import MentorshipHealth
    from tandem.feedback.services.health import BATCH_SIZE, health_refresh

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    program, admin, mentorships = build(args.mentorships, args.seed)
    built = time.perf_counter()
    print(
        f"database: {connection.vendor} ({var_dir}); {args.mentorships:,} mentorships built in "
        f"{built - started:.1f} s"
    )

    batch = list(mentorships[:BATCH_SIZE])
    for m in batch:
        m.program = program
    queries: list[str] = []
    with connection.execute_wrapper(counting(queries)):
        health_refresh(mentorships=batch, now=timezone.now())
    everyone = list(mentorships)
    for m in everyone:
        m.program = program
    start = time.perf_counter()
    result = health_refresh(mentorships=everyone, now=timezone.now())
    took = time.perf_counter() - start
    print(
        f"recompute: {result.assessed:,} mentorships in {took:.1f} s "
        f"({took / result.assessed * 1000:.2f} ms each); {len(queries)} queries per batch of "
        f"{BATCH_SIZE} (notifications included); states {dict(sorted(result.states.items()))}; "
        f"{result.nudges} nudges, {result.alerts} alerts"
    )
    assert MentorshipHealth.objects.filter(program=program).count() == args.mentorships

    client = Client()
    client.force_login(admin)
    base = f"/feedback/programs/{program.pk}/health/"
    pages = [
        ("health page, page 1", base),
        ("health page, page 100", f"{base}?page=100"),
        ("health page, stalled", f"{base}?state=stalled"),
        ("health page, reason filter", f"{base}?reason=missed_periods"),
        ("health page, name search", f"{base}?q=Person0042"),
        ("API list, page 1", f"/api/programs/{program.pk}/health"),
        ("mentorship page + panel", f"/mentorships/{mentorships[0].pk}/"),
    ]
    print(
        f"\n{'page':<30} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target < "
        f"{TARGET_MS:.0f} ms median"
    )
    worst = 0.0
    for label, url in pages:
        worst = max(worst, time_page(client, label, url, args.requests, TARGET_MS))
    connection.close()
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(
        f"\nworst median {worst:.1f} ms = {worst / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target"
    )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
