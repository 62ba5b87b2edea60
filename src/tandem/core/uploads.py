"""An API operation's uploaded file, read after its access check.

Django parses a multipart body on first access to ``request.FILES``; ninja's ``File`` parameter
did so before the operation ran, so a body without a boundary (``Content-Type:
multipart/form-data`` alone) answered ``{"detail": "Bad Request"}`` with a MultiPartParserError
traceback in the log, whoever sent it and for whatever program. Reading it here, inside the
operation and after its access check, gives one 400 that names the field, and to someone who may
not use the operation the same 404 as for what they cannot see. A header without a valid
boundary never gets here: ``core.middleware.ApiMultipartSyntaxMiddleware`` answers it first,
whoever sends it; what is left is a body Django cannot parse (base64 that does not decode).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from tandem.core.exceptions import ApplicationError

UPLOAD_BODY_UNREADABLE = (
    "The multipart body cannot be read: send the file as multipart/form-data in the field {field}."
)
UPLOAD_MISSING = "Send the file as multipart/form-data in the field {field}."


def uploaded_file(request: HttpRequest, *, field: str) -> UploadedFile:
    """The file sent in ``field`` of a multipart body; a 400 naming ``field`` otherwise."""
    try:
        upload = request.FILES.get(field)
    except MultiPartParserError:
        message = UPLOAD_BODY_UNREADABLE.format(field=field)
        raise ApplicationError(message, fields={field: message}) from None
    if upload is None:
        message = UPLOAD_MISSING.format(field=field)
        raise ApplicationError(message, fields={field: message})
    return upload


def upload_request_body(field: str, description: str) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of an operation that reads ``uploaded_file(field=...)``."""
    schema = {
        "type": "object",
        "properties": {field: {"type": "string", "format": "binary", "description": description}},
        "required": [field],
    }
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }
