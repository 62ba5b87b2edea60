"""Run the whole suite: SQLite first, then the database-facing tests on PostgreSQL.

A service that is not reachable is skipped with a line saying so, unless the matching
``TANDEM_REQUIRE_*`` variable is set (CI sets them all), in which case the run fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

POSTGRES_URL = os.environ.get("TANDEM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
# Every core (pytest-xdist; an idle worker takes tests queued for a busy one, so a long browser
# test near the end does not leave a core idle), and the slowest tests named at the end so
# creeping cost shows.
XDIST = ["-n", "auto", "--dist", "worksteal"]
PYTEST = [sys.executable, "-m", "pytest", "-q", *XDIST, "--durations=15"]
NO_TESTS_COLLECTED = 5
# A pass that has not ended by then is stuck (each takes 4-8 minutes here, 20 on a loaded
# machine; a single test already fails after pytest-timeout's 600 s): its processes' stacks are
# printed and it is stopped, so CI reports where it hung instead of running into its own limit.
PASS_LIMIT_SECONDS = int(os.environ.get("TANDEM_TEST_PASS_LIMIT", 30 * 60))


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def required(service: str) -> bool:
    return os.environ.get(f"TANDEM_REQUIRE_{service}", "").lower() in {"1", "true", "yes"}


def run(label: str, args: list[str], env: dict[str, str]) -> int:
    print(f"\n==== {label} ====", flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tandem-stacks-") as stacks:
        tests = subprocess.Popen(
            PYTEST + args, env={**env, "TANDEM_STACKS_DIR": stacks}, start_new_session=True
        )
        try:
            code = tests.wait(timeout=PASS_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"\n{label}: still running after {PASS_LIMIT_SECONDS} s; stacks follow.")
            code = stop_printing_stacks(tests, Path(stacks))
    print(f"==== {label}: {time.monotonic() - started:.0f} s ====", flush=True)
    return 0 if code == NO_TESTS_COLLECTED else code


def stop_printing_stacks(tests: subprocess.Popen, stacks: Path) -> int:
    """Ask every process of the stuck pass for its threads' stacks, print them, then kill it."""
    os.killpg(tests.pid, signal.SIGUSR1)
    time.sleep(5)
    for dump in sorted(stacks.glob("*.txt")):
        print(f"---- {dump.stem} ----\n{dump.read_text()}", flush=True)
    os.killpg(tests.pid, signal.SIGKILL)
    tests.wait()
    return 1


def main() -> int:
    extra = sys.argv[1:]
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    failures = []
    if run("SQLite: the whole suite", extra, base_env):
        failures.append("SQLite pass")
    if reachable(POSTGRES_URL):
        pg_env = {
            **base_env,
            "DATABASE_URL": POSTGRES_URL,
            "TANDEM_DB_TESTS_ONLY": "1",
            "TANDEM_REQUIRE_POSTGRES": "1",
        }
        label = f"PostgreSQL ({POSTGRES_URL}): database-facing tests, browser journeys, crawl"
        if run(label, extra, pg_env):
            failures.append("PostgreSQL pass")
    elif required("POSTGRES"):
        print(f"PostgreSQL is required but nothing answers at {POSTGRES_URL}.")
        failures.append("PostgreSQL unreachable")
    else:
        print(
            f"\nSKIPPED: the PostgreSQL pass (nothing answers at {POSTGRES_URL}; "
            "set TANDEM_TEST_DATABASE_URL to point at a server)."
        )
    if failures:
        print("\nFAILED: " + ", ".join(failures))
        return 1
    print("\nAll passes green.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
