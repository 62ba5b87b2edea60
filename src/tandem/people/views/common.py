"""What the people pages share: how service errors map to form fields, and a safe ``next``."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme

# Working-style answers are ``working_style.<key>`` in the service, ``ws_<key>`` on the form.
FORM_PREFIXES = {"working_style.": "ws_"}


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
