"""Suite-wide switches: which services this run must use, and what it skips without them.

``make test`` runs the suite on SQLite, then the database-facing tests again on PostgreSQL.
``TANDEM_REQUIRE_POSTGRES`` / ``_REDIS`` / ``_BROWSER`` (set by CI) turn a missing service from
a skip into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import os
import shutil
import signal
import socket
import tempfile
import threading
from urllib.parse import urlparse

import pytest
from asgiref.sync import async_to_sync
from hypothesis import settings

# CI (``.ci/run``) draws the same examples on every run, so a red run is one a rerun reproduces;
# ``make test`` on a laptop keeps drawing new ones, which is how the suite finds new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("TANDEM_HYPOTHESIS_PROFILE", "default"))

CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
REDIS_URL = os.environ.get("TANDEM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def required(service: str) -> bool:
    return os.environ.get(f"TANDEM_REQUIRE_{service.upper()}", "").lower() in {"1", "true", "yes"}


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
            return True
    except OSError:
        return False


def skip_or_fail(service: str, why: str) -> None:
    if required(service):
        pytest.fail(f"{service} is required in this run but {why}", pytrace=False)
    pytest.skip(f"{service} not available: {why}")


# Tandem keeps no key in the repository and refuses to serve without one; tests sign with this
# (exported too, so a server or worker a test starts inherits it).
TEST_SECRET_KEY = "tests-only-" + "k3y-" * 12
TEST_TEXT_EMBEDDER = "builtin"
STACK_FILES: list = []  # kept open for faulthandler, which writes to them on SIGUSR1


def pytest_configure(config):
    from django.conf import settings

    config.addinivalue_line(
        "markers",
        "any_database: a browser check whose outcome does not depend on the database (axe, the "
        "Content-Security-Policy walk): the PostgreSQL pass of make test skips it",
    )

    os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    settings.SECRET_KEY = os.environ["SECRET_KEY"]
    # Nothing collected: pages name static files by their own names, whatever a `make run` in
    # this checkout left in var/static (hashed names there: tandem.core.staticfiles).
    settings.STATIC_ROOT = static_root = tempfile.mkdtemp(prefix="tandem-tests-static-")
    config.add_cleanup(lambda: shutil.rmtree(static_root, ignore_errors=True))
    # The built-in lexicon embeds profiles' texts (fast, deterministic), here and in any server
    # or worker a test starts; the tests of the model path choose it themselves.
    os.environ["TANDEM_TEXT_EMBEDDER"] = TEST_TEXT_EMBEDDER
    settings.TANDEM_TEXT_EMBEDDER = TEST_TEXT_EMBEDDER
    dump_stacks_on_request()


def dump_stacks_on_request() -> None:
    """On SIGUSR1, write every thread's stack to a file of this process (tools/test.py sends it
    to a pass that overran its time, then prints the files): pytest captures stderr, so a dump
    there would be lost with the killed process."""
    folder = os.environ.get("TANDEM_STACKS_DIR")
    if not folder:
        return
    name = os.environ.get("PYTEST_XDIST_WORKER", "controller")
    STACK_FILES.append(open(os.path.join(folder, f"{name}-{os.getpid()}.txt"), "w"))  # noqa: SIM115
    faulthandler.register(signal.SIGUSR1, file=STACK_FILES[-1], all_threads=True)


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass keep only the tests that touch the database; on every pass, order
    the tests by :func:`loop_order`.

    The browser journeys and the crawl are among them: they drive a live server whose requests
    run outside any test transaction, so a page that works only on SQLite fails this pass. A
    test marked ``any_database`` is not: what it checks in the browser (axe's rules, the page's
    policy) is the same on every database, and the crawl opens those pages on this pass too.
    """
    if os.environ.get("TANDEM_DB_TESTS_ONLY") == "1":
        selected, deselected = [], []
        for item in items:
            (selected if uses_database(item) else deselected).append(item)
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
    items.sort(key=loop_order)  # stable: the order within each group is kept


def loop_order(item) -> int:
    """0 for a test whose module runs coroutines through asgiref's ``async_to_sync``, 2 for a
    browser test, 1 for the rest. Once Playwright's sync API has started (the session's
    ``chromium``), an event loop runs in the process's main thread for good, and
    ``async_to_sync`` refuses to run there ("You cannot use AsyncToSync in the same thread as an
    async event loop"): a PostgreSQL pass failed so. A pytest-xdist worker runs its share from
    the front and the others steal from its end, so the first ones run before any browser.
    In any other order ``pytest_runtest_protocol`` sets the browser's loop aside for them."""
    if "chromium" in getattr(item, "fixturenames", ()):
        return 2
    module = getattr(item, "module", None)
    return 0 if getattr(module, "async_to_sync", None) is async_to_sync else 1


def uses_database(item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("any_database"):
        return False
    return bool(
        item.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & fixtures
    )


@pytest.fixture
def redis_url() -> str:
    if not reachable(REDIS_URL):
        skip_or_fail("redis", f"nothing answers at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database also gets the cache table (login rate limits live there)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def channels_closes_connections_again():
    """After each test, ``channels.db.close_old_connections`` is Django's again.

    channels' test communicators swap it for a no-op while they wait (``mock.patch``); two
    sockets waiting at once put back each other's no-op, which stayed for the rest of the run.
    Each later ``database_sync_to_async`` (a websocket's log-in check under uvicorn) then left
    its connection open in asgiref's one thread, and the PostgreSQL pass could not drop the
    test database ("being accessed by other users"). tests/test_channels_cleanup.py"""
    yield
    import channels.db
    from django.db import close_old_connections

    channels.db.close_old_connections = close_old_connections


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A test that does not drive the browser runs (set up, called, torn down) with no event
    loop marked as running in the main thread, so its ``async_to_sync`` works in whatever order
    the tests run.

    Playwright's sync API (the session's ``chromium``) runs its event loop in a greenlet of the
    main thread and leaves it marked as that thread's running loop between calls, for the rest
    of the session; ``async_to_sync`` then refuses to run there ("You cannot use AsyncToSync in
    the same thread as an async event loop"). :func:`loop_order` runs such tests first, but in
    another order (a shuffled run, ``-k``, a re-run of failures) the socket tests of
    tests/messaging failed after any browser test. The loop does not run while a test's own
    code does, so it is set aside for the whole test and put back after; set aside from the
    start, since Django keeps another database connection per thread while a loop runs and the
    test's transaction must be on the one its code uses. tests/test_browser_loop_set_aside.py"""
    loop = asyncio._get_running_loop()
    if loop is None or "chromium" in getattr(item, "fixturenames", ()):
        return (yield)
    asyncio._set_running_loop(None)
    try:
        return (yield)
    finally:
        if not loop.is_closed():  # the session's last test closed the browser
            asyncio._set_running_loop(loop)


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction around a whole test module, rolled back at its end, for rows a module
    fixture builds once: each test's own transaction is a savepoint inside it, so what a test
    adds or changes goes with it and the next test reads the rows as built."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def migrate_to(transactional_db):
    """``migrate_to(("people", "0005_skill_curated"))``: the database at that migration, the
    models as they were there; every app at its newest migration after the test
    (``tests.migrating.newest_after``)."""
    from tests.migrating import newest_after

    with newest_after() as migrate:
        yield migrate


@pytest.fixture
def postgres_only():
    """For tests of PostgreSQL behaviour (row locks under real concurrency).

    They are skipped on the SQLite pass because ``make test`` runs them on the PostgreSQL pass,
    where a non-PostgreSQL connection is an error.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("TANDEM_DB_TESTS_ONLY") == "1":
        pytest.fail(f"the PostgreSQL pass is running on {connection.vendor}", pytrace=False)
    pytest.skip("PostgreSQL-only: runs in the PostgreSQL pass of make test")


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """MD5 instead of Argon2 (0.2 s of CPU a hash: every account a factory makes, every log-in
    through the form) in every test. tests/people overrides this fixture: it checks that the
    production setting is Argon2 and tests hashing with it (its ``argon2`` fixture)."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright (no browser download needed)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        skip_or_fail("browser", f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("browser", "playwright is not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        loop = asyncio._get_running_loop()
        yield browser
        # Torn down after the session's last test, which may have set the loop aside
        # (pytest_runtest_protocol): Playwright needs it marked as running to close.
        asyncio._set_running_loop(loop)
        browser.close()


class RequestsInFlight:
    """The live server's WSGI app, counting the requests it is still serving, and serving them
    one at a time when asked (``one_at_a_time``)."""

    def __init__(self, app, *, one_at_a_time: bool = False):
        self.app = app
        self.serving = 0
        self.changed = threading.Condition()
        self.turn: contextlib.AbstractContextManager = (
            threading.Lock() if one_at_a_time else contextlib.nullcontext()
        )

    def __call__(self, environ, start_response):
        with self.changed:
            self.serving += 1
        try:
            with self.turn:
                return self.app(environ, start_response)
        finally:
            with self.changed:
                self.serving -= 1
                self.changed.notify_all()

    def wait_idle(self, seconds: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.serving == 0, timeout=seconds)


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, its requests in flight counted (``in_flight``).

    On in-memory SQLite every request thread of the server uses the test's one connection
    (pytest-django shares it), which is not safe from two threads at once: two requests of one
    page (a page and its skill suggestions) hung in SQLite for good. There the requests are
    served one at a time, as a browser's requests to a one-process server would be."""
    from django.db import connection

    httpd = live_server.thread.httpd
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    live_server.in_flight = RequestsInFlight(httpd.get_app(), one_at_a_time=shared)
    httpd.set_app(live_server.in_flight)
    return live_server


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    """Before any fixture is torn down (the database flush among them), close every browser
    window the test opened, even when it failed half-way, and let the live server finish what
    it is serving: a window left open kept polling the server into later tests, and a request
    still running during the flush failed it ('database table is locked')."""
    fixtures = getattr(item, "funcargs", {})
    if "chromium" in fixtures:
        for context in fixtures["chromium"].contexts:
            context.close()
    if "live_server" in fixtures:
        fixtures["live_server"].in_flight.wait_idle(seconds=30)


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def exact_checkin_figures(monkeypatch):
    """Every check-in figure's noise draw zero (``feedback.selectors.answer_noise``): a test of
    what is counted reads the exact counts, rounded as the pages show them."""
    from tandem.feedback.selectors import answer_noise

    monkeypatch.setattr(answer_noise, "draw", lambda label: 0.0)
