"""Which address a request is counted against: X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tandem.people.ratelimit import client_ip


def request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("peer", ["127.0.0.1", "203.0.113.5"])
def test_forwarded_for_is_ignored_by_default(settings, peer):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request(peer, "198.51.100.1")) == peer


def test_forwarded_for_is_ignored_from_an_untrusted_peer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_trusted_proxy_gives_the_rightmost_untrusted_address(settings):
    """A client can prepend anything; only what our proxies appended counts."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    forged_then_real = "1.2.3.4, 198.51.100.7, 10.1.2.3"
    assert client_ip(request("127.0.0.1", forged_then_real)) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "10.0.0.2"])
def test_trusted_proxy_without_a_client_address_counts_the_proxy(settings, forwarded):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.1", forwarded)) == "10.0.0.1"
