"""The API's schema documents every error status it can answer with, for every operation.

Errors reach HTTP in one place: domain errors through ``tandem.api``'s one exception handler
(400 invalid input, 403 forbidden, 404 missing or not visible, 409 conflict with the current
state), authentication (401), request validation (422) and the request guards (400 for NUL
characters, 413 for an oversized body, 415 for a body not sent as ``application/json``). Any
operation can therefore answer any of them, and the published schema says so with the one
error body, so clients (and schemathesis' status code check) are never surprised by a status
the schema left out.
"""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    fields: dict[str, str] = {}


ERROR_STATUSES = {
    400: "The input is invalid: `fields` says which field and why.",
    401: "Not authenticated: send a session cookie or `Authorization: Bearer <token>`.",
    403: "Authenticated, but not allowed to do this.",
    404: "Not found, or not visible to you (the two look the same).",
    409: "Conflicts with the current state (for example already answered or published).",
    413: "The request body is too large.",
    415: "The request body is not sent as `Content-Type: application/json`.",
    422: "The request does not match the schema: `fields` says which field and why.",
}


def document_errors(schema: dict) -> dict:
    """Add the shared error responses to every operation that does not declare its own."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses}
            for status, description in ERROR_STATUSES.items():
                if status not in declared:
                    responses[status] = {"description": description, "content": body}
    return schema
