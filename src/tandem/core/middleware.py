"""Request and response guards: refuse unwanted characters and oversized bodies; send the
Content-Security-Policy.

Characters: the rule is ``tandem.core.text.unwanted_character`` (NUL, lone surrogates, the other
C0 controls but tab and line breaks, DEL). NUL and lone surrogates cannot be stored at all (the
request ended as a 500 on PostgreSQL). A path, a query string, a JSON body (``"\\u0000"``,
``"\\ud800"``) or a multipart form post in another charset than UTF-8 (UTF-7 decodes ``+2AA-`` to
U+D800) carrying one is a 400 that names the field: under ``/api/`` the shared error body
``{"detail": ..., "fields": {"shared_notes": ...}}``, elsewhere plain text. Field names come from
the client, so they are quoted only in encodable form and never as HTML.

Errors under ``/api/``: ``ApiErrorsAsJsonMiddleware`` gives every error answer the API's error
body (``ApplicationError.as_dict``), whoever made it: Django's 404 for an unknown path, ninja's
405, the 500 page (never a traceback, in DEBUG neither: the log has it).

Multipart syntax: ``ApiMultipartSyntaxMiddleware`` answers an ``/api/`` body whose multipart
header cannot be parsed with one JSON 400, whoever sends it (see the class).

Static files: ``StaticFilesMiddleware`` is WhiteNoise's, its files sent as an asynchronous
iterator under ASGI (``tandem.core.streaming.serve_file_asynchronously``). A file collected in
``STATIC_ROOT`` (``collectstatic``, with its ``.gz`` and ``.br`` copies) is served from there
when it has the app's bytes; the app's own file otherwise (not collected, or collected before
an upgrade).

Size: ``RequestSizeLimitMiddleware`` refuses a declared ``Content-Length`` over
``settings.MAX_REQUEST_BYTES`` with the 413 of ``tandem.core.body_limit`` (the same limit and
message as the ASGI guard in front of Django).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
)
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import StaticFile

from tandem.core.body_limit import request_too_large
from tandem.core.exceptions import ApplicationError
from tandem.core.json_body import json_body
from tandem.core.staticfiles import same_bytes
from tandem.core.streaming import serve_file_asynchronously
from tandem.core.text import character_code, is_lone_surrogate, printable, unwanted_character

NUL_NOT_ALLOWED = "Text cannot contain NUL (U+0000) characters."
SURROGATE_NOT_ALLOWED = "Text cannot contain lone surrogates (U+D800 to U+DFFF): paste it again."
CONTROL_NOT_ALLOWED = "Text cannot contain the control character {code}; remove it and send again."
# A JSON body can only carry an unwanted character as an escape (or DEL as itself): look for
# one before parsing the body.
_ESCAPED_UNWANTED = re.compile(
    rb"\\u00[01][0-9a-f]|\\u007f|\\ud[89a-f][0-9a-f]{2}|\x7f", re.IGNORECASE
)

GetResponse = Callable[[HttpRequest], HttpResponseBase]

API_PREFIX = "/api/"
API_NOT_FOUND = "Nothing is at this address: the API's operations are listed at /api/docs."
API_METHOD_NOT_ALLOWED = "This address does not take {method}; it takes {allowed}."
API_SERVER_ERROR = "Something went wrong on our side (it has been logged); try again later."
MULTIPART_UNREADABLE = (
    "The multipart body cannot be read: its Content-Type has no valid boundary "
    "(send multipart/form-data; boundary=... with the boundary its parts use)."
)


def unwanted_character_message(character: str) -> str:
    if character == "\x00":
        return NUL_NOT_ALLOWED
    if is_lone_surrogate(character):
        return SURROGATE_NOT_ALLOWED
    return CONTROL_NOT_ALLOWED.format(code=character_code(character))


def unwanted_at(value: object, path: str = "") -> tuple[str, str] | None:
    """``(dotted path, character)`` of the first unwanted character in keys or texts."""
    if isinstance(value, str):
        character = unwanted_character(value)
        return (path or "__all__", character) if character else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if character := unwanted_character(str(key)):
                return where, character
            if found := unwanted_at(item, where):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := unwanted_at(item, f"{path}.{index}" if path else str(index)):
                return found
    return None


def _joined(data: QueryDict) -> dict[str, str]:
    """A QueryDict's values, one text per field name (so the field is named as sent)."""
    return {key: " ".join(values) for key, values in data.lists()}


def _path_parameter(request: HttpRequest, character: str) -> str:
    """The API path parameter holding ``character``, named as a schema error names it
    (``path.slug``): the address's parts are what the client sent. "" when no operation's
    pattern matches, or for a page (whose address is no form field)."""
    if not request.path.startswith(API_PREFIX):
        return ""
    try:
        parameters = resolve(request.path_info).kwargs
    except Resolver404:
        return ""
    return next(
        (f"path.{name}" for name, value in parameters.items() if character in str(value)), ""
    )


def _unwanted_in(request: HttpRequest) -> tuple[str, str] | None:
    if character := unwanted_character(request.path):
        return _path_parameter(request, character), character
    if found := unwanted_at(_joined(request.GET)):
        return found
    if request.content_type == "application/json":
        if not _ESCAPED_UNWANTED.search(request.body):
            return None
        try:
            return unwanted_at(json_body(request.body))
        except (ValueError, RecursionError):
            # Not JSON, or nested past what ``unwanted_at`` follows: the view reports that.
            return None
    if request.method == "POST" and request.content_type == "multipart/form-data":
        # UTF-8 (what browsers send) decodes invalid bytes to U+FFFD, and Django refuses a
        # url-encoded form in any other charset; a multipart one in UTF-7 yields surrogates.
        charset = (request.content_params or {}).get("charset", "utf-8").lower().replace("_", "-")
        if charset not in ("utf-8", "utf8"):
            return unwanted_at(_joined(request.POST))
    return None


class ApiMultipartSyntaxMiddleware:
    """Under ``/api/``, a multipart body Django cannot parse (no boundary, an invalid one) is
    a JSON 400 before anything reads ``request.POST``: ninja's CSRF check does so for a
    session before the operation runs, and Django answered ``Bad Request`` and logged a
    MultiPartParserError traceback. It answers before authentication and the operation's
    access check: a syntax error of the request itself reveals nothing about what is behind
    the address. Django's parser checks the header without reading the body."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(API_PREFIX) and request.content_type == "multipart/form-data":
            try:
                MultiPartParser(request.META, io.BytesIO(), [], request.encoding)
            except MultiPartParserError:
                return JsonResponse(ApplicationError(MULTIPART_UNREADABLE).as_dict(), status=400)
        return self.get_response(request)


class RejectUnwantedCharactersMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        found = _unwanted_in(request)
        if found is None:
            return self.get_response(request)
        field, character = found
        message = unwanted_character_message(character)
        # The field name is the client's: quote it encodable, and never as HTML.
        field = printable(field)
        if request.path.startswith("/api/"):
            fields = {field: message} if field else {}
            return JsonResponse({"detail": message, "fields": fields}, status=400)
        text = f"{field}: {message}" if field else message
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise's static files; under ASGI sent as an asynchronous iterator, so the server
    neither warns on every file nor reads it whole first.

    WhiteNoise adds the files the finders see (the apps' ``static/`` folders, so tests and a
    fresh checkout serve without ``collectstatic``) over those collected in ``STATIC_ROOT``,
    and the collected ones were never served: no compressed copy ever went out, though
    ``collectstatic`` made one of each (a deployment's live check). A collected file with the
    same bytes as the app's is kept, with its ``.gz`` and ``.br``; a stale one (collected
    before an upgrade) gives way to the app's file.
    """

    def add_files_from_finders(self) -> None:
        collected = dict(self.files)
        super().add_files_from_finders()
        if not collected:
            return
        root = os.fspath(self.static_root)
        for url, static_file in collected.items():
            relative = url[len(self.static_prefix) :]
            source = finders.find(relative)
            if isinstance(source, str) and same_bytes(source, os.path.join(root, relative)):
                self.files[url] = static_file

    @staticmethod
    def serve(static_file: StaticFile, request: HttpRequest) -> FileResponse:
        response: FileResponse = WhiteNoiseMiddleware.serve(static_file, request)
        if isinstance(request, ASGIRequest):
            serve_file_asynchronously(response)
        return response


class RequestSizeLimitMiddleware:
    """A request whose declared body is over ``settings.MAX_REQUEST_BYTES`` gets the one 413.

    Checked by the ``Content-Length`` alone, before anything (CSRF, a form) reads the body.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            content_type, body = request_too_large(path=request.path, limit=limit)
            return HttpResponse(body, content_type=content_type, status=413)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every response that does not set its own.

    It is the outermost middleware, so redirects, 400s, 413s and the 500 page made by the
    middleware below it carry the policy too.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class ApiErrorsAsJsonMiddleware:
    """Under ``/api/``, an error answer that is not JSON becomes the API's error body with the
    same status (and ``Allow`` header). Outermost but for the CSP, so it sees the 500 page."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        if status == 404:
            detail = API_NOT_FOUND
        elif status == 405:
            allowed = response.get("Allow", "")
            detail = API_METHOD_NOT_ALLOWED.format(method=request.method, allowed=allowed)
        elif status >= 500:
            detail = API_SERVER_ERROR
        else:
            detail = getattr(response, "reason_phrase", "") or "Error."
        answer = JsonResponse(ApplicationError(detail, status=status).as_dict(), status=status)
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in request (a session, or
    an ``Authorization`` header for the API): its pages hold the person's own data (their
    background, their messages, the secret calendar feed URL), which no shared proxy and no
    disk cache may keep for whoever uses the browser or the proxy next. Static files are
    answered above it (WhiteNoise), so they stay cacheable."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_store=True)
        return response
