"""Live messaging at scale: 500 open sockets on two server processes, 50 messages a second.

Usage::

    .venv/bin/python bench/messaging.py [--sockets 500] [--rate 50] [--duration 60]
        [--settle 10] [--quick] [--skip-baselines] [--database-url URL] [--redis-url URL]

Creates (or reuses) the PostgreSQL database ``tandem_bench_messaging`` and migrates it, then
bulk-inserts ``--sockets / 2`` active mentorships with their two people, a session and an API
token each (a fresh tag per run). It starts two ``tandem serve`` processes (one uvicorn worker
each) on that database and Redis, opens one websocket per person (a person's socket on one
process, the partner's on the other) and sends ``--rate`` messages a second for
``--duration`` seconds through ``POST /api/mentorships/{id}/messages`` (each person in turn,
to the process holding their own socket; open loop: a slow answer does not slow the sending).
Delivery latency is the time the partner's socket receives the event minus the send's start.
Every stored message must reach the partner's socket and the sender's own socket exactly once
(checked by ``client_id``). Server memory (VmRSS) is read before the run, after it and after
``--settle`` seconds.

Baselines at the same rate and socket count: every socket on ONE process with Redis (Redis,
no cross-process hop), and one process on the in-memory channel layer (no Redis, as
``make run``). The ratios show what Redis and the second process cost.

``--quick`` is a small run (50 sockets, 10 messages/s, 10 s, a 5 s settle) to check the setup.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from messaging_setup import (  # noqa: E402 - beside this file, after the path
    Pair,
    Person,
    Phase,
    Server,
    create_database,
    machine_times,
    percentile,
    populate,
    post_message,
    unreachable,
)

P95_TARGET_MS = 100.0
RATE_TOLERANCE = 0.95  # "sustained": stored and delivered at 95 % of the asked rate or more
MEMORY_GROWTH_LIMIT = 0.20  # "flat": RSS after the settle under 20 % above the RSS before
SEND_TIMEOUT_S = 60.0  # a send with no answer by then counts as an error (status 0)
DELIVERY_GRACE_S = 15.0  # how long to wait for the last events after the last answer
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench_messaging"
REDIS_URL = "redis://127.0.0.1:6379/12"
# The list-based channels_redis layer (used until the pub/sub one) dropped an event for a
# process whose queue was full and said "over capacity" at INFO; PostgreSQL refuses connections
# past max_connections; push_live logs a failed push; all are counted from the servers' logs.
SERVER_LOG_NEEDLES = ("over capacity", "too many clients", "Could not push", "Traceback")
SERIAL_SENDS = 20  # sends one at a time after the run: what one costs without queueing


class Run:
    """One phase: a socket per person (a pair's two people on different processes when there
    are two), ``args.rate`` sends a second for ``args.duration`` s, every event checked by
    client id, the servers' memory read before, after and after ``args.settle`` s."""

    def __init__(self, phase: Phase, pairs: list[Pair], servers: tuple[Server, Server], args):
        self.phase, self.pairs, self.args = phase, pairs, args
        self.servers = list({id(server): server for server in servers}.values())
        self.home = {  # user id -> the port holding their socket (and taking their sends)
            person.user_id: servers[(i + member) % 2].port
            for i, pair in enumerate(pairs)
            for member, person in enumerate(pair.people)
        }
        self.received: list[tuple[str, int, float]] = []  # (client_id, socket owner, time)
        self.started: dict[str, tuple[float, int, frozenset[int]]] = {}
        self.gate = asyncio.Semaphore(25)  # sockets opening at once

    def remember_memory(self, moment: str) -> None:
        self.phase.memory.append((moment, [server.rss_mb() for server in self.servers]))

    def remember_cpu(self, before: list[float], machine: tuple[int, int], wall: float) -> None:
        used = [
            server.cpu_seconds() - was for server, was in zip(self.servers, before, strict=True)
        ]
        self.phase.server_cpu = [seconds / wall for seconds in used]
        self.phase.cpu_ms_per_message = 1000 * sum(used) / max(1, self.phase.stored)
        busy, total = (now - was for now, was in zip(machine_times(), machine, strict=True))
        self.phase.machine_busy = busy / total if total else 0.0

    async def listen(self, person: Person, ready: asyncio.Event) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        port = self.home[person.user_id]
        headers = {"Cookie": f"sessionid={person.session}", "Origin": f"http://127.0.0.1:{port}"}
        async with self.gate:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/notifications/",
                additional_headers=headers,
                open_timeout=60,
                max_queue=None,
            )
        self.phase.sockets_open += 1
        ready.set()
        try:
            async with ws:
                async for raw in ws:
                    now = time.perf_counter()
                    event = json.loads(raw)
                    if event.get("event") == "message":
                        self.received.append((event["message"]["client_id"], person.user_id, now))
        except ConnectionClosed as closed:
            self.phase.close_codes[closed.rcvd.code if closed.rcvd else None] += 1
        self.phase.sockets_dropped += 1  # closed before the bench closed it

    async def watch_lag(self) -> None:
        """The bench's own event-loop lag (is the client keeping up?), and the servers'
        thread count (Django's ASGI handler gives each request a thread of its own)."""
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.phase.client_lag_ms.append((time.perf_counter() - before - 0.01) * 1000)
            if len(self.phase.client_lag_ms) % 50 == 0:
                most = max(server.threads() for server in self.servers)
                self.phase.most_threads = max(self.phase.most_threads, most)

    async def send(self, index: int, *, tracked: bool = True) -> None:
        pair = self.pairs[index % len(self.pairs)]
        sender = pair.people[(index // len(self.pairs)) % 2]
        client_id = f"{'b' if tracked else 's'}{index}-{secrets.token_hex(3)}"
        start = time.perf_counter()
        if tracked:
            people = frozenset(p.user_id for p in pair.people)
            self.started[client_id] = (start, sender.user_id, people)
        port = self.home[sender.user_id]
        try:
            sending = post_message(port, sender, pair.mentorship_id, client_id)
            status = await asyncio.wait_for(sending, SEND_TIMEOUT_S)
        except (OSError, TimeoutError):
            status = 0  # no answer: refused, reset, or none within SEND_TIMEOUT_S
        elapsed = (time.perf_counter() - start) * 1000
        if not tracked:
            self.phase.serial_ms.append(elapsed)
            return
        self.phase.send_ms.append(elapsed)
        self.phase.statuses[status] += 1
        if status != 201:
            self.started.pop(client_id)

    async def paced_sends(self) -> float:
        """Open loop at ``args.rate``: a slow answer does not hold the next send back."""
        first, sends = time.perf_counter(), []
        for index in range(self.args.total):
            delay = first + index / self.args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self.phase.schedule_late_ms = max(self.phase.schedule_late_ms, -delay * 1000)
            sends.append(asyncio.create_task(self.send(index)))
        await asyncio.gather(*sends)
        return first

    async def __call__(self) -> None:
        readies = [asyncio.Event() for _ in self.home]
        people = [person for pair in self.pairs for person in pair.people]
        listeners = [
            asyncio.create_task(self.listen(p, r)) for p, r in zip(people, readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=300)
        await asyncio.sleep(1)
        self.remember_memory("before (sockets open)")
        lag = asyncio.create_task(self.watch_lag())
        cpu_before, machine_before = [s.cpu_seconds() for s in self.servers], machine_times()
        first = await self.paced_sends()
        self.remember_cpu(cpu_before, machine_before, time.perf_counter() - first)
        deadline = time.perf_counter() + DELIVERY_GRACE_S
        while len(self.received) < 2 * len(self.started) and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # late duplicates
        lag.cancel()
        self.remember_memory("after the run")
        for index in range(SERIAL_SENDS):  # one at a time, warm: a send's cost, no queueing
            await self.send(index, tracked=False)
        check(self.phase, self.started, self.received, first)
        await asyncio.sleep(self.args.settle)
        self.remember_memory(f"after {self.args.settle:g} s settle")
        self.phase.open_log = sum(
            (server.log_lines(*SERVER_LOG_NEEDLES) for server in self.servers), Counter()
        )
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)


def check(
    phase: Phase,
    started: dict[str, tuple[float, int, frozenset[int]]],
    received: list[tuple[str, int, float]],
    first: float,
) -> None:
    """Exactly once at the partner and once at the sender's own socket, by client id."""
    arrivals: dict[tuple[str, int], list[float]] = {}
    for client_id, owner, at in received:
        if client_id in started:
            arrivals.setdefault((client_id, owner), []).append(at)
    last = first
    for client_id, (start, sender, pair) in started.items():
        partner = next(iter(pair - {sender}))
        for owner, latencies in ((partner, phase.partner_ms), (sender, phase.own_ms)):
            times = arrivals.get((client_id, owner), [])
            if not times:
                if owner == partner:
                    phase.lost_partner += 1
                else:
                    phase.lost_own += 1
                continue
            phase.duplicated += len(times) - 1
            latencies.append((times[0] - start) * 1000)
            last = max(last, times[0])
    phase.misrouted = sum(
        1 for cid, owner, _ in received if cid in started and owner not in started[cid][2]
    )
    phase.delivered_rate = len(phase.partner_ms) / (last - first) if last > first else 0.0


def report(phase: Phase, args: argparse.Namespace) -> bool:
    """Print the phase's figures; True when it meets every target."""
    p50, p95, p99 = (percentile(phase.partner_ms, f) for f in (0.5, 0.95, 0.99))
    lost = phase.lost_partner + phase.lost_own
    print(f"\n== {phase.label}")
    print(
        f"sockets open {phase.sockets_open}, closed by the server or a missed ping "
        f"{phase.sockets_dropped} {dict(phase.close_codes) or ''}; stored {phase.stored} of "
        f"{args.total} sends"
    )
    print(f"delivery to the partner ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}")
    own = [percentile(phase.own_ms, f) for f in (0.5, 0.95)]
    sends = [percentile(phase.send_ms, f) for f in (0.5, 0.95)]
    print(f"to the sender's own socket ms: p50 {own[0]:.1f}  p95 {own[1]:.1f}")
    print(f"HTTP send (request to answer) ms: p50 {sends[0]:.1f}  p95 {sends[1]:.1f}")
    print(
        f"one send at a time after the run (no queueing): median {median(phase.serial_ms):.1f} ms"
    )
    busy = ", ".join(f"{share:.0%}" for share in phase.server_cpu)
    print(
        f"CPU during the sends: server processes {busy} of one core each, "
        f"{phase.cpu_ms_per_message:.1f} ms per stored message in all; whole machine "
        f"{phase.machine_busy:.0%} busy; at most {phase.most_threads} threads in a process"
    )
    print(
        f"delivered {phase.delivered_rate:.1f} msg/s (asked {args.rate:g}); errors "
        f"{phase.errors} {dict(phase.statuses - Counter({201: phase.stored})) or ''}; lost "
        f"{lost} (partner {phase.lost_partner}, own {phase.lost_own}); duplicated "
        f"{phase.duplicated}; misrouted {phase.misrouted}"
    )
    print(
        f"bench client: event-loop lag p95 {percentile(phase.client_lag_ms, 0.95):.1f} ms, "
        f"max {max(phase.client_lag_ms, default=0):.0f} ms; sends late at most "
        f"{phase.schedule_late_ms:.0f} ms"
    )
    if phase.server_log:
        print(
            f"server log lines: {dict(phase.server_log)}, before the sockets closed "
            f"{dict(phase.open_log)}; in {' '.join(phase.logs_kept)}"
        )
    else:
        print(f"server log lines: none of {SERVER_LOG_NEEDLES}")
    for moment, sizes in phase.memory:
        print(f"server RSS {moment:<22} " + "  ".join(f"{mb:6.1f} MB" for mb in sizes))
    before, settled = phase.memory[0][1], phase.memory[-1][1]
    growth = max((after - was) / was for was, after in zip(before, settled, strict=True))
    checks = {
        f"{args.sockets} sockets open throughout": (
            phase.sockets_open == args.sockets and not phase.sockets_dropped
        ),
        f"{args.rate:g} msg/s for {args.duration:g} s (>= {RATE_TOLERANCE:.0%} delivered)": (
            phase.stored == args.total and phase.delivered_rate >= RATE_TOLERANCE * args.rate
        ),
        f"p95 < {P95_TARGET_MS:.0f} ms": p95 < P95_TARGET_MS,
        "0 errors, 0 lost, 0 duplicated": phase.errors + lost + phase.duplicated == 0,
        f"memory flat (growth {growth:+.0%} < {MEMORY_GROWTH_LIMIT:.0%})": (
            growth < MEMORY_GROWTH_LIMIT
        ),
    }
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return all(checks.values())


def serve_and_run(label: str, env: dict[str, str], processes: int, pairs, args) -> Phase:
    """Start ``processes`` servers (1 or 2), run one phase on them, stop them."""
    servers = [Server(env) for _ in range(processes)]
    try:
        for server in servers:
            server.wait_until_up()
        phase = Phase(label)
        pair_of_servers = (servers[0], servers[-1])
        asyncio.run(Run(phase, pairs, pair_of_servers, args)())
        for server in servers:
            found = server.log_lines(*SERVER_LOG_NEEDLES)
            phase.server_log += found
            if found:
                phase.logs_kept.append(str(server.log))
            else:
                server.log.unlink()
        return phase
    finally:
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=500, help="even: two per mentorship")
    parser.add_argument("--rate", type=float, default=50.0, help="messages a second in total")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="50 sockets, 10 msg/s for 10 s")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args(argv)
    if args.quick:
        args.sockets, args.rate, args.duration, args.settle = 50, 10.0, 10.0, 5.0
    args.total = round(args.rate * args.duration)

    missing = unreachable(args.database_url, args.redis_url)
    if missing:  # `make bench` on a laptop without them: say so, fail nothing
        print(f"messaging bench skipped: nothing answers at {', '.join(missing)}")
        return 0
    os.environ.update(
        DATABASE_URL=args.database_url,
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="tandem.settings",
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="0",
    )
    os.environ.pop("REDIS_URL", None)
    create_database(args.database_url)
    import django

    django.setup()
    from django.db import connection

    from tandem.cli import prepare_database

    started = time.perf_counter()
    prepare_database()
    migrated = time.perf_counter()
    pairs = populate(args.sockets // 2)
    connection.close()
    print(
        f"database {args.database_url}: migrate {migrated - started:.1f} s; "
        f"{len(pairs)} mentorships, {2 * len(pairs)} people, sessions and tokens "
        f"{time.perf_counter() - migrated:.1f} s; load average {os.getloadavg()[0]:.2f}"
    )
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE")
    redis_env = {**env, "REDIS_URL": args.redis_url}
    main_phase = serve_and_run("two processes, Redis (the target)", redis_env, 2, pairs, args)
    passed = report(main_phase, args)
    if not args.skip_baselines:
        baselines = [
            serve_and_run("one process, Redis", redis_env, 1, pairs, args),
            serve_and_run("one process, in-memory layer (no Redis)", env, 1, pairs, args),
        ]
        for baseline in baselines:
            report(baseline, args)
        mine = [percentile(main_phase.partner_ms, f) for f in (0.5, 0.95)]
        print(f"\ncost of the hops, delivery p50 / p95 (load average {os.getloadavg()[0]:.2f}):")
        for baseline in baselines:
            theirs = [percentile(baseline.partner_ms, f) for f in (0.5, 0.95)]
            ratios = " / ".join(f"{a / b:.2f}x" for a, b in zip(mine, theirs, strict=True))
            print(f"  two processes vs {baseline.label}: {ratios}")
    print(f"\n{'PASS' if passed else 'FAIL'}: two processes, Redis, against every target")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
