"""A websocket opens only from Tandem's own pages: the Origin's host and port are the Host's
(live websocket review: another port of an allowed host was let in)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from tandem.core.socket_origin import same_origin

pytestmark = pytest.mark.django_db


async def handshake(origin: str, host: str = "127.0.0.1:8171"):
    from tandem.asgi import application

    headers = [(b"host", host.encode()), (b"origin", origin.encode())]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    return await socket.connect(timeout=30)


def test_a_socket_from_the_site_itself_reaches_the_consumer():
    """Anonymous here, so the consumer's own refusal (4401), not the origin's (1000)."""
    assert async_to_sync(handshake)("http://127.0.0.1:8171") == (False, 4401)


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another port of the same host: the browser shares cookies
        "https://localhost:1",
        "http://127.0.0.1:8171.evil.example",  # Channels read the host as 127.0.0.1
        "http://evil.example",
        "null",
    ],
)
def test_a_socket_from_another_origin_is_refused(origin):
    assert async_to_sync(handshake)(origin) == (False, 1000)


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("https://tandem.example.org", "tandem.example.org", True),
        ("https://tandem.example.org", "tandem.example.org:443", True),
        ("http://[::1]:8000", "[::1]:8000", True),
        ("HTTP://Tandem.Example.org:8000", "tandem.example.org:8000", False),
        ("https://tandem.example.org:8443", "tandem.example.org", False),
        ("https://user@tandem.example.org", "tandem.example.org", False),
        ("https://tandem.example.org/path", "tandem.example.org", False),
        ("https://tandem.example.org:99999", "tandem.example.org:99999", False),
        ("", "tandem.example.org", False),
    ],
)
def test_same_origin(origin, host, same):
    assert same_origin(origin, host) is same


def test_a_trusted_origin_is_let_in(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org"]
    assert same_origin("https://app.example.org", "tandem.internal:8000")


@pytest.mark.parametrize(
    ("origin", "trusted"),
    [
        ("https://app.example.org", True),
        ("https://deep.app.example.org", True),
        ("http://app.example.org", False),  # another scheme
        ("https://example.org.evil.test", False),
        ("https://evilexample.org", False),
    ],
)
def test_a_wildcard_trusted_origin_is_read_as_csrf_reads_it(settings, origin, trusted):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    assert same_origin(origin, "tandem.internal:8000") is trusted
