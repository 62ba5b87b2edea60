"""Throttles for log-in attempts and for the emails anyone can ask Tandem to send.

Counts live in the shared cache (the database cache by default), so every worker process sees
the same numbers. Each counter is a fixed window that starts at its first hit.

Log-in: after ``LOGIN_RATE_LIMIT`` failures for one (email, address) pair, or
``LOGIN_IP_RATE_LIMIT`` failures from one address across any emails (a password spray), further
attempts are refused without checking the password, even a correct one. A success clears only
the pair's counter: the address's counter keeps counting, so an attacker who owns one account
cannot reset it between sprays.

Emails (password reset, the sign-up notice): at most ``EMAIL_RATE_LIMIT`` per email address and
``EMAIL_IP_RATE_LIMIT`` per client address in ``EMAIL_RATE_WINDOW_SECONDS``. The counts are
kept for every submitted address, whether or not it has an account, so the limit reveals
nothing about accounts.

The client address is ``REMOTE_ADDR`` unless it is one of ``TRUSTED_PROXIES``: only then is
``X-Forwarded-For`` read, from the right, skipping the trusted proxies.
"""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache

LOGIN_THROTTLED = (
    "Too many failed log-in attempts. Wait {minutes} minutes and try again, or reset your password."
)
EMAIL_THROTTLED = (
    "Too many emails were requested for this address or from your network. "
    "Wait {minutes} minutes and try again."
)


def _minutes(seconds: int) -> int:
    return max(1, seconds // 60)


def _key(scope: str, *parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"tandem:{scope}:{digest}"


def _normal_email(email: str) -> str:
    return (email or "").strip().lower()


def _count(key: str) -> int:
    return cache.get(key) or 0


def _hit(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


# --- log-in ----------------------------------------------------------------------------------
def _login_keys(email: str, ip: str) -> tuple[str, str]:
    return _key("login-fail", _normal_email(email), ip or ""), _key("login-fail-ip", ip or "")


def login_throttle_message() -> str:
    return LOGIN_THROTTLED.format(minutes=_minutes(settings.LOGIN_RATE_WINDOW_SECONDS))


def login_is_throttled(*, email: str, ip: str) -> bool:
    pair, address = _login_keys(email, ip)
    return (
        _count(pair) >= settings.LOGIN_RATE_LIMIT or _count(address) >= settings.LOGIN_IP_RATE_LIMIT
    )


def login_record_failure(*, email: str, ip: str) -> int:
    """Count one failure for the pair and for the address; returns the pair's count."""
    pair, address = _login_keys(email, ip)
    _hit(address, settings.LOGIN_RATE_WINDOW_SECONDS)
    return _hit(pair, settings.LOGIN_RATE_WINDOW_SECONDS)


def login_clear_failures(*, email: str, ip: str) -> None:
    cache.delete(_login_keys(email, ip)[0])


# --- emails ----------------------------------------------------------------------------------
def email_throttle_message() -> str:
    return EMAIL_THROTTLED.format(minutes=_minutes(settings.EMAIL_RATE_WINDOW_SECONDS))


def email_send_allowed(*, purpose: str, email: str, ip: str) -> bool:
    """Count one request to email ``email`` for ``purpose``; False once over either limit."""
    window = settings.EMAIL_RATE_WINDOW_SECONDS
    per_email = _key(f"email-{purpose}", _normal_email(email))
    per_address = _key(f"email-{purpose}-ip", ip or "")
    # Count first, then compare: two requests at once cannot both take the last place.
    within_email = _hit(per_email, window) <= settings.EMAIL_RATE_LIMIT
    within_address = _hit(per_address, window) <= settings.EMAIL_IP_RATE_LIMIT
    return within_email and within_address


# --- client address --------------------------------------------------------------------------
def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks())


def _trusted_networks() -> list:
    return [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXIES]


def client_ip(request) -> str:
    """The address the request came from, as far as we can trust it.

    ``X-Forwarded-For`` is only read when the peer is a configured trusted proxy (clients can
    forge the header); then the rightmost entry that is not itself a trusted proxy is the client.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not settings.TRUSTED_PROXIES or not _trusted(peer):
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([part for part in forwarded if part]):
        if not _trusted(address):
            return address
    return peer


# --- look-ups (searches that answer as the person types) -----------------------------------
def lookup_allowed(*, purpose: str, user_id: int) -> bool:
    """Count one look-up by ``user_id``; False once over ``LOOKUP_RATE_LIMIT`` in the window,
    so nobody can page through a program's people by script."""
    limit = getattr(settings, "LOOKUP_RATE_LIMIT", 120)
    window = getattr(settings, "LOOKUP_RATE_WINDOW_SECONDS", 60)
    return _hit(_key(f"lookup-{purpose}", str(user_id)), window) <= limit
