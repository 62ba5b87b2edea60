"""Request and response guards: refuse NUL characters and oversized API bodies; send the
Content-Security-Policy.

NUL: PostgreSQL cannot store or compare text (or jsonb) holding U+0000: the driver raises, and the
request would end as a 500. No Tandem field has a use for it (Django's form fields already
refuse it), so a request carrying one in its path, query string or JSON body is a 400.

Lone surrogates (U+D800..U+DFFF without their pair) cannot be encoded as UTF-8 at all, so
PostgreSQL never receives them and the request ended as a 500. A JSON body can carry one as
``"\\ud800"``, and a multipart form post in another charset (``charset=utf-7``) too; such a
request is a 400 that names the field (``{"detail": ..., "fields": {"shared_notes": ...}}``).
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse

NUL_NOT_ALLOWED = "Text cannot contain NUL (U+0000) characters."
_ESCAPED_NUL = re.compile(rb"\\u0000", re.IGNORECASE)
SURROGATE_NOT_ALLOWED = "Text cannot contain lone surrogates (U+D800 to U+DFFF): paste it again."
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _lone_surrogate_at(value, path: str = "") -> str | None:
    """The dotted path of the first text holding a lone surrogate, or None."""
    if isinstance(value, str):
        return (path or "__all__") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _SURROGATE.search(str(key)):
                return where
            found = _lone_surrogate_at(item, where)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate_at(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _lone_surrogate_in(request: HttpRequest) -> str | None:
    if request.content_type == "application/json":
        if not _ESCAPED_SURROGATE.search(request.body):
            return None
        try:
            return _lone_surrogate_at(json.loads(request.body))
        except ValueError:
            return None  # not JSON: the view reports that
    if request.method == "POST" and request.content_type == "multipart/form-data":
        # UTF-8 (what browsers send) decodes invalid bytes to U+FFFD, and Django refuses a
        # url-encoded form in any other charset; a multipart one in UTF-7 yields surrogates.
        charset = request.content_params.get("charset", "utf-8").lower().replace("_", "-")
        if charset not in ("utf-8", "utf8"):
            return _lone_surrogate_at({k: " ".join(v) for k, v in request.POST.lists()})
    return None


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
        field = _lone_surrogate_in(request)
        if field is not None:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": SURROGATE_NOT_ALLOWED, "fields": {field: SURROGATE_NOT_ALLOWED}},
                    status=400,
                )
            return HttpResponseBadRequest(f"{field}: {SURROGATE_NOT_ALLOWED}")
        return self.get_response(request)


BODY_TOO_LARGE = "The request body is larger than {limit} bytes; send less at once."


class ApiBodyLimitMiddleware:
    """An API request whose body is over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` gets a JSON 413.

    Django would refuse it too, but deep inside (``RequestDataTooBig``) and as an HTML 400.
    File uploads (multipart) are left to the views that take them: they have their own limits
    and must not be read into memory here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path.startswith("/api/") and request.content_type != "multipart/form-data":
            try:
                request.body  # noqa: B018 - reading it enforces the limit
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                return JsonResponse(
                    {"detail": BODY_TOO_LARGE.format(limit=limit), "fields": {}}, status=413
                )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
