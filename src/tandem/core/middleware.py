"""Refuse NUL characters in any request, before they reach a query.

PostgreSQL cannot store or compare text (or jsonb) holding U+0000: the driver raises, and the
request would end as a 500. No Tandem field has a use for it (Django's form fields already
refuse it), so a request carrying one in its path, query string or JSON body is a 400.
"""

from __future__ import annotations

import json
import re

from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse

NUL_NOT_ALLOWED = "Text cannot contain NUL (U+0000) characters."
_ESCAPED_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _json_body_has_nul(request: HttpRequest) -> bool:
    if request.content_type != "application/json" or not _ESCAPED_NUL.search(request.body):
        return False
    try:
        return _has_nul(json.loads(request.body))
    except ValueError:
        return False  # not JSON: the view reports that


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if (
            "\x00" in request.path
            or _has_nul(dict(request.GET.lists()))
            or _json_body_has_nul(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_NOT_ALLOWED, "fields": {}}, status=400)
            return HttpResponseBadRequest(NUL_NOT_ALLOWED)
        return self.get_response(request)
