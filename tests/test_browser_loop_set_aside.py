"""Leftovers review: tests/messaging's socket tests failed in a shuffled order ("You cannot use
AsyncToSync in the same thread as an async event loop") when they ran after a browser test,
whose Playwright loop stays marked as running in the main thread (tests/conftest.py,
``pytest_runtest_protocol``). The first test leaves a loop behind as Playwright leaves it, so
the second does not depend on a browser being installed."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from tests.mentorships.factories import mentorship

# Both use the database, so pytest-django keeps them in this order.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loop_left_running(django_db_setup):
    """An event loop marked as the main thread's running loop across tests, not running, with
    Django told to allow sync database calls under it: as the session's ``chromium`` leaves
    them after the test database was made."""
    loop = asyncio.new_event_loop()
    before = asyncio._get_running_loop()
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        asyncio._set_running_loop(before)
        loop.close()
        if unsafe is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _where_and_how_many(person) -> tuple[int, int]:
    return threading.get_ident(), person.mentorships_as_mentee.count()


def test_a_loop_is_left_marked_as_running(loop_left_running):
    assert asyncio._get_running_loop() is loop_left_running


def test_the_next_test_can_use_async_to_sync_and_the_database():
    """Runs after the one above, its loop still marked as running (module scope)."""
    main = threading.get_ident()
    m = mentorship()

    async def scenario() -> tuple[int, int]:
        await asyncio.sleep(0)
        # As the socket tests send a message: thread-sensitive code runs in the test's thread,
        # on the connection that holds the test's transaction.
        return await sync_to_async(_where_and_how_many, thread_sensitive=True)(m.mentee)

    assert async_to_sync(scenario)() == (main, 1)
