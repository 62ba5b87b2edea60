"""The JSON API: one NinjaAPI, one router per app, one handler mapping domain errors to HTTP.

Every error answer is ``{"detail": ..., "fields": {...}}`` (``ErrorOut``): the handlers below
for what the operations raise, ``tandem.core.middleware.ApiErrorsAsJsonMiddleware`` for what
Django answers around them (unknown paths, methods, 500s).
"""

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, get_origin

from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from tandem.core.api_methods import answering_head
from tandem.core.exceptions import ApplicationError, NotFound, TooManyRequests
from tandem.core.json_body import NestedTooDeeply, json_body
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
BODY_NOT_JSON_TYPE = (
    "Send the request body as JSON with the header `Content-Type: application/json`, not {kind}."
)
BODY_NOT_JSON = "The request body is not valid JSON: {error} (line {line}, column {column})."
BODY_NOT_UTF8 = "The request body is not valid JSON: send it encoded as UTF-8."
BODY_TOO_DEEP = "The request body nests lists and objects too deeply: no field takes that."
REPEATED_FIELD = "This field is sent more than once: send it once."
BODY_MISSING = "Send a request body: a JSON object of fields ({} when none is needed)."
UNKNOWN_FIELD = "This operation takes no field of this name: check its spelling in /api/docs."
NO_BODY = "This operation takes no request body: send none (or {})."
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
_JSON_KINDS = {list: "a list", str: "a text", type(None): "null", bool: "true or false"}


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different: ``json`` keeps the last of a repeated one,
    so ``{"title": "a", "title": "b"}`` saved "b" without a word."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(key)
        data[key] = value
    return data


class JsonObjectParser(Parser):
    """A JSON body is an object of fields. ninja reads any other (``[]``, ``"x"``, ``null``) as
    an object with none, so an operation whose fields are all optional did nothing and said 200.

    It is JSON only when it says so: ninja parsed any body as JSON whatever its
    ``Content-Type``, and the guard against text PostgreSQL refuses
    (``core.middleware.RejectUnwantedCharactersMiddleware``) reads ``application/json``
    bodies only, so ``"\u0000"`` sent as ``text/plain`` reached the database: a 500. Each
    error names where it is: a repeated key names the field, the others the body
    (``__all__``)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            kind = f"`{request.content_type}`" if request.content_type else "no Content-Type"
            message = BODY_NOT_JSON_TYPE.format(kind=kind)
            raise ApplicationError(message, fields={"__all__": message}, status=415)
        try:
            data = json_body(request.body, object_pairs_hook=_object_once)
        except _RepeatedKey as exc:
            raise ApplicationError(
                "Some fields are invalid.", fields={exc.key: REPEATED_FIELD}, status=422
            ) from None
        except json.JSONDecodeError as exc:
            message = BODY_NOT_JSON.format(error=exc.msg, line=exc.lineno, column=exc.colno)
            raise ApplicationError(message, fields={"__all__": message}) from None
        except NestedTooDeeply:
            raise ApplicationError(BODY_TOO_DEEP, fields={"__all__": BODY_TOO_DEEP}) from None
        except ValueError:  # bytes that are not UTF-8 (or UTF-16/32)
            raise ApplicationError(BODY_NOT_UTF8, fields={"__all__": BODY_NOT_UTF8}) from None
        if not isinstance(data, dict):
            kind = _JSON_KINDS.get(type(data), "a number")
            message = BODY_NOT_AN_OBJECT.format(kind=kind)
            raise ApplicationError(message, fields={"__all__": message}, status=422)
        return data


def _takes_body(operation: Any) -> bool:
    """Whether the operation reads a request body: a body schema, or an upload it reads
    itself (documented by its ``openapi_extra``)."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    return bool(sources & {"body", "form", "file"}) or "requestBody" in (
        operation.openapi_extra or {}
    )


def _empty_object(body: bytes) -> bool:
    """``{}`` whatever the Content-Type says: what many clients send for "no fields" (the
    message says it is taken; sent as text/plain it was refused once the parser checked the
    type, a code review)."""
    try:
        return json_body(body) == {}
    except ValueError:
        return False


def _refuse_body(request: HttpRequest) -> None:
    """A body sent to an operation that takes none is a 422, as an unknown field of a body
    is: ``POST /notifications/read-all {"before_id": 5}`` marked everything read."""
    data: object
    if request.content_type in _FORMS:
        try:
            data = {**request.POST, **request.FILES}  # an empty form has a body of no fields
        except MultiPartParserError:
            data = None
    elif not request.body.strip() or _empty_object(request.body):
        return
    else:
        try:
            data = api.parser.parse_body(request)
        except (ApplicationError, ValueError):
            data = None  # not a JSON object: no fields to name
    if data == {}:
        return
    if isinstance(data, dict):
        fields = {str(name): UNKNOWN_FIELD for name in data}
        raise ApplicationError("Some fields are invalid.", fields=fields, status=422)
    raise ApplicationError(NO_BODY, fields={"__all__": NO_BODY}, status=422)


def _field_names(operation: Any) -> set[str]:
    """The names the operation's caller uses: its path and query parameters and the fields
    of its body."""
    names: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "body":
            for field in model.model_fields.values():
                names.update(getattr(field.annotation, "model_fields", ()))
        else:
            names.update(flat[-1] for flat in model.__ninja_flatten_map_reverse__.values())
    return names


def _keyed_fields(operation: Any) -> list[str]:
    """The body's fields that are objects keyed by the client (``answers``: ``{key: value}``)."""
    return [
        name
        for model in operation.models
        if model.__ninja_param_source__ == "body"
        for field in model.model_fields.values()
        for name, inner in getattr(field.annotation, "model_fields", {}).items()
        if get_origin(inner.annotation) is dict
    ]


def _query_names(operation: Any) -> set[str]:
    """The operation's query parameters."""
    return {
        flat[-1]
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for flat in model.__ninja_flatten_map_reverse__.values()
    }


def _refuse_repeated_query(request: HttpRequest, names: set[str]) -> None:
    """A query parameter sent twice is a 422 naming it, as a body's repeated key is: ninja
    kept the last, so ``?done=true&done=false`` unticked a milestone without a word. No
    operation takes a list in its query."""
    fields = {
        f"query.{name}": REPEATED_FIELD
        for name, values in request.GET.lists()
        if name in names and len(values) > 1
    }
    if fields:
        raise ApplicationError("Some fields are invalid.", fields=fields, status=422)


def _in_api_name(field: str, names: set[str], keyed: list[str]) -> str:
    if field in names or field == "__all__" or field.split(".")[0] in names:
        return field
    if f"{field}_id" in names:
        return f"{field}_id"
    # A key the client chose inside an object of the body (a join question's ``q5`` of
    # ``answers``), named by its path there as a schema error names it.
    return f"{keyed[0]}.{field}" if len(keyed) == 1 else field


def _in_api_names(exc: ApplicationError, names: set[str], keyed: list[str]) -> ApplicationError:
    """A service names what it was given (``recipient``, ``owner``, ``meeting``, a question's
    ``q5``, as the pages' forms do); the API client sent ``recipient_id`` and
    ``answers.q5``: the error names the field the client sent (an API review found join
    answers sent as ``answers.q5`` and refused as ``q5``)."""
    exc.fields = {
        _in_api_name(field, names, keyed): message for field, message in exc.fields.items()
    }
    return exc


def _api_operation(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Around every operation (after authentication and the schema's validation): no query
    parameter sent twice, no body where it takes none, errors in the operation's own field
    names."""
    operation = view_func._ninja_operation  # type: ignore[attr-defined]
    takes_body, names = _takes_body(operation), _field_names(operation)
    keyed = _keyed_fields(operation)
    query = _query_names(operation)

    @wraps(view_func)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        _refuse_repeated_query(request, query)
        if not takes_body:
            _refuse_body(request)
        try:
            return view_func(request, *args, **kwargs)
        except ApplicationError as exc:
            raise _in_api_names(exc, names, keyed) from None

    return run


class _UtcEncoder(NinjaJSONEncoder):
    """Every instant in UTC (``...Z``), as it is stored: a meeting scheduled or moved with
    ``+01:00`` was echoed with that offset, and read back in UTC (an API review)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and o.tzinfo is not None:
            o = o.astimezone(UTC)
        return super().default(o)


class UtcJSONRenderer(JSONRenderer):
    encoder_class = _UtcEncoder


class TandemAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, dict] = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema, built once per prefix (it depends on nothing else, and building it took
        half a second of CPU per request of /api/openapi.json); each caller gets its own copy
        to change."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._schemas:
            built = super().get_openapi_schema(path_prefix=path_prefix)
            self._schemas[path_prefix] = document_errors(built)
        return copy.deepcopy(self._schemas[path_prefix])

    def _get_urls(self):
        """Every address answers HEAD as its GET; none needs a CSRF token: the operations check
        it themselves for a session (``tandem.people.auth``), and the others only read (the
        docs and the schema take only GET and HEAD, ``/api/`` itself is a 404)."""
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = csrf_exempt(answering_head(pattern.callback))
        return patterns


api = TandemAPI(
    title="Tandem API",
    version="1",
    description="Mentorship programs end to end. Authenticate with a session cookie or a "
    "personal API token sent as `Authorization: Bearer <token>`.",
    auth=api_auth,
    parser=JsonObjectParser(),
    renderer=UtcJSONRenderer(),
    docs_decorator=require_safe,
)
api.add_decorator(_api_operation, mode="operation")
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
        if not location and error.get("type") == "missing":
            message = BODY_MISSING  # pydantic's "Field required", of no field
        fields[".".join(location) or "__all__"] = message or "Invalid value."
    return api.create_response(
        request, {"detail": "Some fields are invalid.", "fields": fields}, status=422
    )
