"""A Redis that takes connections but never answers fails a cache read within seconds (log-ins
count in the cache: without timeouts redis-py waits forever and every log-in hangs)."""

import socket
import time

import pytest
from django.core.cache.backends.redis import RedisCache

from tandem.settings import redis_cache


@pytest.fixture
def silent_redis():
    """A listening socket nobody reads from: the kernel completes the connection, no reply."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def test_a_silent_redis_fails_a_cache_read_instead_of_hanging(silent_redis):
    settings = redis_cache(silent_redis)
    cache = RedisCache(silent_redis, {"OPTIONS": settings["OPTIONS"]})
    started = time.monotonic()
    with pytest.raises(Exception, match="[Tt]imeout|timed out"):
        cache.get("login-attempts")
    assert time.monotonic() - started < 8
