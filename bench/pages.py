"""Page latency at scale: a 10,000-person program served through Django's full stack.

Usage::

    .venv/bin/python bench/pages.py [--people 10000] [--seed 7] [--requests 60]

Builds a fresh SQLite database under a temporary ``TANDEM_VAR_DIR`` (migrate, then the demo
loader: bulk inserts through the participant-import code path), then times requests made with
Django's test client as the demo program admin (every middleware, template and query runs; no
network or server process): the participant list (first page, a deep page, a role + status
filter, a search), the program overview, a participant's profile page, and the admin home
(``/``), after ``admin_home_work`` gave it something of every kind to show; then, as a mentee,
the ranked list of mentors (first page, a deep page, filtered by a skill) and the request form
to the top mentor. Prints median and p95 per page against the 100 ms median target, plus the
number of SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from django_env import django_ready  # noqa: E402 - bench/django_env.py, beside this file

TARGET_MS = 100.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def counting(queries: list[str]):
    def wrapper(execute, sql, *rest):
        queries.append(sql)
        return execute(sql, *rest)

    return wrapper


def time_page(client, label: str, url: str, requests: int, target_ms: float) -> float:
    """Warm a page up, count its queries once, time ``requests`` loads and print its row;
    returns the median in ms."""
    from django.db import connection  # Django is set up by the caller

    for _ in range(3):  # warm caches and connections
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries: list[str] = []
    with connection.execute_wrapper(counting(queries)):
        client.get(url)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    verdict = "ok" if median < target_ms else "SLOW"
    print(
        f"{label:<30} {median:>10.1f} {percentile(timings, 0.95):>8.1f} "
        f"{len(queries):>8}  {verdict} ({median / target_ms:.2f}x target)"
    )
    return median


def admin_home_work(program, *, people: int) -> str:
    """What a busy program waits on, in proportion to its size: people awaiting approval with
    join answers, mentorships in every state (some unsigned for weeks, some ended early),
    requests that ran out, failed and unpublished match runs, open problem reports. Written
    with bulk inserts (a benchmark's setup, not a path users take); returns a summary."""
    from datetime import timedelta

    from django.utils import timezone

    from tandem.matchruns.models import MatchRun, RunStatus
    from tandem.mentorships.models import (
        Mentorship,
        MentorshipRequest,
        MentorshipState,
        ProblemReport,
        RequestState,
    )
    from tandem.programs.models import Enrolment, EnrolmentStatus, Role

    now = timezone.now()
    enrolled = Enrolment.objects.filter(program=program, status=EnrolmentStatus.ACTIVE)
    mentees = list(enrolled.filter(role=Role.MENTEE).values_list("person_id", flat=True))
    mentors = list(enrolled.filter(role=Role.MENTOR).values_list("person_id", flat=True))
    waiting = enrolled.filter(role=Role.MENTEE, person_id__in=mentees[-people // 100 :]).update(
        status=EnrolmentStatus.PENDING, answers={"Why do you want to join?": "To grow. " * 20}
    )
    pairs = people // 5
    states = [
        (MentorshipState.ACTIVE, now - timedelta(days=30), None),
        (MentorshipState.PROPOSED, now - timedelta(days=10), None),
        (MentorshipState.COMPLETED, now - timedelta(days=200), now - timedelta(days=20)),
        (MentorshipState.ENDED_EARLY, now - timedelta(days=60), now - timedelta(days=5)),
    ]
    made = Mentorship.objects.bulk_create(
        Mentorship(
            program=program,
            mentor_id=mentors[k % len(mentors)],
            mentee_id=mentees[k],
            state=states[k % len(states)][0],
            ended_at=states[k % len(states)][2],
        )
        for k in range(pairs)
    )
    for state, created_at, _ in states:
        Mentorship.objects.filter(program=program, state=state).update(created_at=created_at)
    MentorshipRequest.objects.bulk_create(
        MentorshipRequest(
            program=program,
            sender_id=mentee,
            recipient_id=mentors[k % len(mentors)],
            mentee_id=mentee,
            mentor_id=mentors[k % len(mentors)],
            message="Could you help me?",
            state=RequestState.EXPIRED if k % 2 else RequestState.PENDING,
            expires_at=now - timedelta(days=1 + k % 20),
        )
        for k, mentee in enumerate(mentees[pairs : pairs + people // 20])
    )
    ProblemReport.objects.bulk_create(
        ProblemReport(mentorship=m, reporter_id=m.mentee_id, text="We never meet.")
        for m in made[:: max(1, len(made) // 50)]
    )
    for status in (RunStatus.FAILED, RunStatus.DONE, RunStatus.DISCARDED):
        MatchRun.objects.create(program=program, status=status)
    return (
        f"{waiting} awaiting approval, {pairs:,} mentorships, "
        f"{people // 20:,} requests past their deadline, 3 match runs"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--only", default="", help="time only the pages whose label has this")
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="tandem-bench-pages-")
    os.environ.pop("DATABASE_URL", None)
    django_ready(TANDEM_VAR_DIR=var_dir)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PROGRAM_SLUG, load_demo_program
    from tandem.matchruns.selectors import mentor_recommendations
    from tandem.people.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    migrated = time.perf_counter()
    load_demo_program(people=args.people, seed=args.seed)
    from tandem.programs.models import Program

    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    work = admin_home_work(program, people=args.people)
    loaded = time.perf_counter()
    print(f"database: {var_dir}/tandem.sqlite3")
    print(f"admin home work: {work}")
    print(
        f"migrate {migrated - started:.1f} s; demo load of {args.people:,} people "
        f"{loaded - migrated:.1f} s"
    )

    admin = Client()
    admin.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    mentee = User.objects.filter(email__startswith="mentee").order_by("email").first()
    base = f"/programs/{DEMO_PROGRAM_SLUG}"
    as_mentee = Client()
    as_mentee.force_login(mentee)
    skill = mentee.profile.skills_wanted.order_by("name").first()
    top = mentor_recommendations(user=mentee, program=program).items[0].mentor_id
    pages = [
        ("participants, page 1", f"{base}/participants/"),
        ("participants, page 200", f"{base}/participants/?page=200"),
        ("participants, mentors active", f"{base}/participants/?role=mentor&status=active"),
        ("participants, search", f"{base}/participants/?q=silva"),
        ("program overview", f"{base}/"),
        ("profile page", f"/people/{mentee.pk}/"),
        ("admin home", "/"),
        ("ranked mentors (mentee)", f"{base}/mentors/", as_mentee),
        ("ranked mentors, page 5", f"{base}/mentors/?page=5", as_mentee),
        (
            "ranked mentors, by skill",
            f"{base}/mentors/?{urlencode({'skill': skill.name if skill else ''})}",
            as_mentee,
        ),
        (
            "request form (mentee)",
            f"/mentorships/requests/new/?program={program.pk}&to={top}",
            as_mentee,
        ),
    ]
    print(
        f"\n{'page':<30} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target < "
        f"{TARGET_MS:.0f} ms median"
    )
    worst = 0.0
    assert b"Your programs" in admin.get("/").content, "the admin home did not answer /"
    for label, url, *who in pages:
        if args.only not in label:
            continue
        client = who[0] if who else admin
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
