"""Login throttling: count failed attempts per (email, client IP) in the shared cache.

The default cache is the database cache, so every worker process sees the same counts.
After ``LOGIN_RATE_LIMIT`` failures within ``LOGIN_RATE_WINDOW_SECONDS`` (a fixed window that
starts at the first failure) further attempts for that pair are refused without checking the
password; a different email from the same IP, or the same email from another IP, is unaffected
so one attacker cannot lock a person out everywhere.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

LOGIN_THROTTLED = (
    "Too many failed log-in attempts for this email. Wait {minutes} minutes "
    "and try again, or reset your password."
)


def _key(email: str, ip: str) -> str:
    digest = hashlib.sha256(f"{(email or '').strip().lower()}|{ip or ''}".encode()).hexdigest()
    return f"tandem:login-fail:{digest}"


def login_throttle_message() -> str:
    return LOGIN_THROTTLED.format(minutes=max(1, settings.LOGIN_RATE_WINDOW_SECONDS // 60))


def login_is_throttled(*, email: str, ip: str) -> bool:
    return (cache.get(_key(email, ip)) or 0) >= settings.LOGIN_RATE_LIMIT


def login_record_failure(*, email: str, ip: str) -> int:
    key = _key(email, ip)
    if cache.add(key, 1, timeout=settings.LOGIN_RATE_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.LOGIN_RATE_WINDOW_SECONDS)
        return 1


def login_clear_failures(*, email: str, ip: str) -> None:
    cache.delete(_key(email, ip))


def client_ip(request) -> str:
    """The peer address. Behind a proxy, configure it to set REMOTE_ADDR (e.g. uvicorn
    --proxy-headers); X-Forwarded-For is not trusted here because clients can forge it."""
    return request.META.get("REMOTE_ADDR", "")
