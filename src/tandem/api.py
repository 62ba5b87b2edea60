"""The JSON API: one NinjaAPI, one router per app, one handler mapping domain errors to HTTP.

Every error answer is ``{"detail": ..., "fields": {...}}`` (``ErrorOut``): the handlers below
for what the operations raise, ``tandem.core.middleware.ApiErrorsAsJsonMiddleware`` for what
Django answers around them (unknown paths, methods, 500s).
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from tandem.core.exceptions import ApplicationError, NotFound, TooManyRequests
from tandem.core.openapi import document_errors
from tandem.feedback.api import router as feedback_router
from tandem.insights.api import router as insights_router
from tandem.matchruns.api import router as matchruns_router
from tandem.mentorships.api import router as mentorships_router
from tandem.messaging.api import router as messaging_router
from tandem.notify.api import router as notify_router
from tandem.people.api import router as people_router
from tandem.people.api_closing import router as people_closing_router
from tandem.people.auth import NOT_AUTHENTICATED, api_auth
from tandem.programs.api import router as programs_router
from tandem.programs.api_leaving import router as programs_leaving_router

BODY_NOT_AN_OBJECT = "Send the request body as a JSON object of fields (name: value), not {kind}."
UNKNOWN_FIELD = "This operation takes no field of this name: check its spelling in /api/docs."
_JSON_KINDS = {list: "a list", str: "a text", type(None): "null", bool: "true or false"}


class JsonObjectParser(Parser):
    """A JSON body is an object of fields. ninja reads any other (``[]``, ``"x"``, ``null``) as
    an object with none, so an operation whose fields are all optional did nothing and said 200.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            kind = _JSON_KINDS.get(type(data), "a number")
            message = BODY_NOT_AN_OBJECT.format(kind=kind)
            raise ApplicationError(message, fields={"__all__": message}, status=422)
        return data


class TandemAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))


api = TandemAPI(
    title="Tandem API",
    version="1",
    description="Mentorship programs end to end. Authenticate with a session cookie or a "
    "personal API token sent as `Authorization: Bearer <token>`.",
    auth=api_auth,
    parser=JsonObjectParser(),
)
# Beside each app's own operations: deleting one's account, leaving a program.
people_router.add_router("", people_closing_router)
programs_router.add_router("", programs_leaving_router)
api.add_router("/people/", people_router)
api.add_router("/programs/", programs_router)
api.add_router("/mentorships/", mentorships_router)
api.add_router("/notifications/", notify_router)
api.add_router("/match-runs/", matchruns_router)
api.add_router("/", messaging_router)
api.add_router("/", feedback_router)
api.add_router("/", insights_router)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """ninja's own errors in the shared body. It reports any error of the parser as "Cannot
    parse request body"; one of ours says what is wrong itself."""
    if isinstance(exc.__cause__, ApplicationError):
        return application_error(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc), "fields": {}}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return application_error(request, NotFound())


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError):
    """401 in the shared error body; the header names the scheme to use."""
    detail = exc.message if exc.message != AuthenticationError().message else NOT_AUTHENTICATED
    response = api.create_response(request, {"detail": detail, "fields": {}}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Tandem API"'
    return response


def _field_path(location: tuple) -> tuple:
    """Where in the request a schema error is, without ninja's leading markers: ``("body",
    "payload", "body")`` is the field ``body``, not nothing."""
    if location[:2] == ("body", "payload"):
        return location[2:]
    if location[:1] == ("body",):
        return location[1:]
    return location


@api.exception_handler(NinjaValidationError)
def request_validation_error(request: HttpRequest, exc: NinjaValidationError):
    """Report schema errors as ``{field: message}`` like every other 4xx."""
    fields = {}
    for error in exc.errors:
        location = [str(part) for part in _field_path(tuple(error.get("loc", ())))]
        message = UNKNOWN_FIELD if error.get("type") == "extra_forbidden" else error.get("msg")
        fields[".".join(location) or "__all__"] = message or "Invalid value."
    return api.create_response(
        request, {"detail": "Some fields are invalid.", "fields": fields}, status=422
    )
