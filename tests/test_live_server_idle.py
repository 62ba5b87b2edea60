"""The suite waits for the live server to finish its requests before a test's database is
flushed (tests/conftest.py): the count it waits on must follow the requests."""

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
