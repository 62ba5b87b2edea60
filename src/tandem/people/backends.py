"""The log-in backend: Django's, behind the throttle, so every log-in form obeys it.

The site's log-in page and the admin's both call ``authenticate(request, ...)``; throttling here
(not in one form) means no entry point skips it.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from tandem.people.ratelimit import (
    client_ip,
    login_clear_failures,
    login_is_throttled,
    login_record_failure,
)


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:  # not a web log-in (tests, shell): nothing to throttle by
            return super().authenticate(request, username, password, **kwargs)
        email = username if username is not None else kwargs.get("email", "")
        ip = client_ip(request)
        if login_is_throttled(email=email or "", ip=ip):
            # PermissionDenied stops authenticate() at once: no backend checks the password.
            raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            login_record_failure(email=email or "", ip=ip)
        else:
            login_clear_failures(email=email or "", ip=ip)
        return user
