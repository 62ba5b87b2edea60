"""The suite waits for the live server to finish its requests before a test's database is
flushed, and on in-memory SQLite serves them one at a time (tests/conftest.py)."""

import threading

import pytest

from tests.conftest import RequestsInFlight


def test_idle_only_once_every_request_has_been_served():
    release = threading.Event()

    def slow_app(environ, start_response):
        release.wait(5)
        return [b"done"]

    app = RequestsInFlight(slow_app)
    serving = threading.Thread(target=app, args=({}, None))
    serving.start()
    try:
        assert not app.wait_idle(seconds=0.05)
    finally:
        release.set()
    serving.join(5)
    assert app.wait_idle(seconds=1)


def test_a_request_that_fails_is_no_longer_counted():
    def failing_app(environ, start_response):
        raise RuntimeError("the view failed")

    app = RequestsInFlight(failing_app)
    with pytest.raises(RuntimeError):
        app({}, None)
    assert app.serving == 0


def test_one_at_a_time_never_serves_two_requests_together():
    inside, most = [], []
    both_started = threading.Barrier(2)

    def app(environ, start_response):
        inside.append(1)
        most.append(len(inside))
        time_passes.wait(0.05)
        inside.pop()
        return [b"done"]

    time_passes = threading.Event()
    served = RequestsInFlight(app, one_at_a_time=True)

    def request():
        both_started.wait(5)
        served({}, None)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert most == [1, 1]
