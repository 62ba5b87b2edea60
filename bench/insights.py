"""Insight pages at scale: 100,000 people and 50,000 mentorships, on SQLite and PostgreSQL.

Usage::

    .venv/bin/python bench/insights.py [--people 100000] [--mentorships 50000]
        [--requests 20] [--db sqlite|postgres|both] [--only funnel] [--explain 3]

Builds the data with ``tandem.demo.insights_scale`` (raw bulk inserts; a few minutes) or
reuses the database built before for the same size, seed and generator version: SQLite under
``$TANDEM_BENCH_CACHE`` (default ``/var/tmp/tandem-bench-insights``), PostgreSQL in a database
named after the size at ``--pg-url``. Then, for each section in ``insights.sections.SECTIONS``,
times the program's page (as its admin) and the site page (as staff), each over all the data
and over a range of two whole quarters, through Django's test client (every middleware,
template and query): one load with the stored snapshots and the cache emptied (``cold ms``:
the figures computed; both live in the database and outlast a run), a warm-up load (which
answers from the snapshot the cold load stored, while younger than ``INSIGHTS_MAX_AGE``), one
counted (SQL queries), then ``--requests`` timed, or as many as ``--budget`` seconds hold at
the warm-up's pace (column ``n``). Prints median and p95 against
the 300 ms median target, PASS or FAIL. A section whose page is not routed yet is timed as a
direct ``build(scope)`` call (mode ``build``).
``--explain N`` prints, per page, the N slowest queries (with ``EXPLAIN ANALYZE`` on
PostgreSQL). ``--db both`` runs each database in its own process.
At the end, ``background refresh``: each section's cold time for the default view (no range)
of the program and of the site, what the periodic job ``insights.refresh`` spends to keep the
pages' snapshots fresh, and its total. ``--no-snapshots`` sets ``INSIGHTS_MAX_AGE`` to 0, so
every load computes (the pages as they were before snapshots).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from django_env import django_ready  # noqa: E402 - bench/django_env.py, beside this file

TARGET_MS = 300.0
PG_URL = "postgres://postgres@127.0.0.1:5432"
GENERATOR = Path(__file__).resolve().parents[1] / "src/tandem/demo/insights_scale"
CACHE = Path(os.environ.get("TANDEM_BENCH_CACHE", "/var/tmp/tandem-bench-insights"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def data_key(args: argparse.Namespace) -> str:
    """The size, the seed and a digest of the generator's code: a changed generator builds
    afresh instead of reusing data it would no longer write."""
    digest = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        digest.update(path.read_bytes())
    return f"insights_{args.people}_{args.mentorships}_s{args.seed}_{digest.hexdigest()[:8]}"


def choose_database(args: argparse.Namespace) -> str:
    """Point Django at the database for this size (created if missing); returns its name."""
    key = data_key(args)
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (key,))
            if found.fetchone() is None:
                connection.execute(f'CREATE DATABASE "{key}"')
        os.environ["DATABASE_URL"] = f"{args.pg_url}/{key}"
        return f"PostgreSQL {key}"
    var_dir = CACHE / key
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["TANDEM_VAR_DIR"] = str(var_dir)
    os.environ.pop("DATABASE_URL", None)
    return f"SQLite {var_dir}/tandem.sqlite3"


def ensure_data(args: argparse.Namespace):
    """Migrate, then build the program unless this database already holds it."""
    from django.core.management import call_command
    from django.db import connection

    from tandem.demo.insights_scale import build_insights_scale
    from tandem.programs.models import Program

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    program = Program.objects.filter(slug=args.slug).first()
    if program is not None:
        print(f"reused the data built before (migrate {time.perf_counter() - started:.1f} s)")
    else:
        summary = build_insights_scale(
            people=args.people, mentorships=args.mentorships, seed=args.seed, slug=args.slug
        )
        counts = ", ".join(f"{count:,} {what}" for what, count in summary.counts.items())
        print(f"built in {summary.seconds:.0f} s: {counts}")
        program = Program.objects.get(slug=args.slug)
    if connection.vendor == "postgresql":
        # What autovacuum does some time after a bulk load: without statistics the planner
        # takes every table for empty and nests loops over millions of rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return program


def quarter_range() -> dict[str, str]:
    """The two whole quarters before the present one."""
    from django.utils import timezone

    from tandem.insights.scope import Quarter

    now = Quarter.containing(timezone.now())
    last = Quarter(now.year - 1, 4) if now.number == 1 else Quarter(now.year, now.number - 1)
    first = Quarter(last.year - 1, 4) if last.number == 1 else Quarter(last.year, last.number - 1)
    return {"from": str(first), "to": str(last)}


class Recorder:
    """Every SQL statement a block runs, with its parameters and time."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - start) * 1000, sql, params))


def explain(queries: list[tuple[float, str, object]], count: int) -> None:
    from django.db import connection

    for took, sql, params in sorted(queries, key=lambda q: q[0], reverse=True)[:count]:
        print(f"    {took:.1f} ms: {sql[:600]}")
        if connection.vendor == "postgresql" and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                for (line,) in cursor.fetchall():
                    print(f"      {line}")


def forget_stored_figures() -> None:
    """Delete the stored section snapshots, so the next load computes its figures (the pages
    answer from a snapshot younger than ``INSIGHTS_MAX_AGE``)."""
    try:
        from tandem.insights.models import InsightSnapshot
    except ImportError:  # a tree from before the snapshots
        return
    InsightSnapshot.objects.all().delete()


def measure(load, requests: int, budget: float) -> tuple[float, float, float, int, int, list]:
    """Time one call with no stored snapshot and the cache emptied (cold: both live in the
    database and outlast a run), then a warm-up call, one call with its queries recorded, and
    up to ``requests`` timed calls (ms), as many as ``budget`` seconds hold at the warm-up's
    pace (at least one), so a full run ends in minutes. Returns cold, median, p95, timed
    calls, queries, recorded queries."""
    from django.core.cache import cache
    from django.db import connection

    forget_stored_figures()
    cache.clear()
    start = time.perf_counter()
    load()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    load()
    warm = time.perf_counter() - start
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        load()
    timings = []
    for _ in range(max(1, min(requests, int(budget / max(warm, 1e-3))))):
        start = time.perf_counter()
        load()
        timings.append((time.perf_counter() - start) * 1000)
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    return cold * 1000, median, p95, len(timings), len(recorder.queries), recorder.queries


def page_loader(client, url: str, params: dict[str, str], build):
    """A GET of the page if it is routed; otherwise the section's ``build`` itself."""
    response = client.get(url, params)
    if response.status_code == 404 and build is not None:
        return "build", build
    assert response.status_code == 200, (url, params, response.status_code)

    def load():
        got = client.get(url, params)
        assert got.status_code == 200, (url, got.status_code)

    return "page", load


def run(args: argparse.Namespace) -> int:
    where = choose_database(args)
    if args.no_snapshots:
        os.environ["TANDEM_INSIGHTS_MAX_AGE"] = "0"
    # The bench times computations; the per-user limit on them (a 429 past 30) is not timed.
    os.environ["TANDEM_INSIGHTS_FRESH_LIMIT"] = str(10**9)
    django_ready()
    from django.conf import settings
    from django.test import Client

    from tandem.insights.scope import scope_of
    from tandem.insights.sections import SECTIONS
    from tandem.people.models import User
    from tandem.programs.models import Program

    print(f"database: {where}; snapshots kept {settings.INSIGHTS_MAX_AGE} s")
    program = ensure_data(args)
    admin, staff = Client(), Client()
    admin.force_login(User.objects.get(email=f"admin000000.{args.slug}@scale.test"))
    staff.force_login(User.objects.get(email=f"staff000000.{args.slug}@scale.test"))
    every_program = tuple(Program.objects.order_by("pk").values_list("pk", flat=True))
    ranged = quarter_range()
    sections = [s for s in SECTIONS if args.only in s.key]
    if not sections:
        print(f"no section to time (SECTIONS holds {[s.key for s in SECTIONS]})")
        return 1
    print(
        f"\n{'section':<12} {'scope':<8} {'range':<15} {'mode':<6} {'cold ms':>9} "
        f"{'median ms':>10} {'p95 ms':>8} {'n':>3} {'queries':>8}  "
        f"target < {TARGET_MS:.0f} ms median"
    )
    failed = 0
    refreshed: dict[str, list[float]] = {}
    for section in sections:
        for scope_name, client, base, ids in (
            ("program", admin, f"/programs/{args.slug}/insights/", (program.pk,)),
            ("site", staff, "/insights/", every_program),
        ):
            for params in ({}, ranged):
                scope = scope_of(ids, first=params.get("from", ""), last=params.get("to", ""))
                mode, load = page_loader(
                    client, f"{base}{section.key}/", params, lambda s=section, c=scope: s.build(c)
                )
                cold, median, p95, timed, queries, recorded = measure(
                    load, args.requests, args.budget
                )
                verdict = "PASS" if median < TARGET_MS else "FAIL"
                failed += verdict == "FAIL"
                label = f"{params['from']}-{params['to']}" if params else "all"
                if not params:
                    refreshed.setdefault(section.key, []).append(cold)
                print(
                    f"{section.key:<12} {scope_name:<8} {label:<15} {mode:<6} {cold:>9.1f} "
                    f"{median:>10.1f} "
                    f"{p95:>8.1f} {timed:>3} {queries:>8}  {verdict} "
                    f"({median / TARGET_MS:.2f}x target)",
                    flush=True,
                )
                if args.explain:
                    explain(recorded, args.explain)
    print(f"\n{failed} of {4 * len(sections)} pages over the {TARGET_MS:.0f} ms median target")
    print("\nbackground refresh (insights.refresh; default view, program and site):")
    for key, times in refreshed.items():
        print(f"  {key:<12} " + " + ".join(f"{t / 1000:.1f} s" for t in times))
    total = sum(sum(times) for times in refreshed.values()) / 1000
    print(f"  {'total':<12} {total:.1f} s of background work per refresh of every section")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--mentorships", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds of timed requests for a slow page"
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server, no database name")
    parser.add_argument("--only", default="", help="time only the sections whose key has this")
    parser.add_argument("--explain", type=int, default=0, help="slowest queries shown per page")
    parser.add_argument(
        "--no-snapshots", action="store_true", help="every load computes (INSIGHTS_MAX_AGE=0)"
    )
    parser.add_argument("--slug", default="insights-scale", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.db != "both":
        return run(args)
    codes = []
    for db in ("sqlite", "postgres"):
        given = argv if argv is not None else sys.argv[1:]
        print(f"\n=== {db} ===", flush=True)
        # the last --db wins, so the child runs this one database
        codes.append(subprocess.call([sys.executable, __file__, *given, "--db", db]))
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
