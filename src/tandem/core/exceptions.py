"""The one domain exception every service raises; API and views map it to 4xx in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A user-caused error, with an optional per-field message map.

    ``status`` is the HTTP status the API answers with: 400 for invalid input, 404 for an
    object the caller may not see (missing and forbidden look the same), 409 for a conflict
    with the current state.
    """

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        # Always ``{field: str}``: a form's ErrorList passed here broke every " ".join of the
        # messages (a 500 on an empty "add goal" form).
        self.fields = messages_by_field(fields or {})
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "fields": self.fields}


class NotFound(ApplicationError):
    def __init__(self, message: str = "Not found."):
        super().__init__(message, status=404)


class PermissionDenied(ApplicationError):
    def __init__(self, message: str = "You do not have permission to do that."):
        super().__init__(message, status=403)


class Repeated(ApplicationError):
    """A request repeats one already done (a double click, a form sent twice, a retried API
    call): what it asks for is there, made by the first. Raised under the row lock every such
    request takes first (``core.locking.refuse_repeat``), so two at once take turns and the
    second finds the first's result. The API answers 409 with ``message``; a page shows
    ``url``, where the first request's result is, with ``message`` as a note
    (``core.web.repeat_shown``): the second submit lands where the first did, no error page.
    """

    def __init__(self, message: str, *, url: str):
        super().__init__(message, status=409)
        self.url = url


class TooManyRequests(ApplicationError):
    """429: the caller sends faster than allowed; ``retry_after`` seconds until it may again
    (the API sends it as ``Retry-After``)."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, status=429)
        self.retry_after = retry_after


def messages_by_field(errors: Mapping[Any, str | Iterable[object]]) -> dict[str, str]:
    """The one flattener: ``{field: message or messages}`` as ``{field: "all; messages"}``.

    Takes a form's ``errors``, a ``ValidationError.message_dict`` or a plain mapping.
    """
    return {
        str(field): messages if isinstance(messages, str) else "; ".join(map(str, messages))
        for field, messages in errors.items()
    }


def form_error_fields(form: forms.BaseForm) -> dict[str, str]:
    """A bound, invalid form's errors as ``{field: all its messages}``."""
    return messages_by_field(form.errors)


def validation_error_fields(error: ValidationError) -> dict[str, str]:
    """A ``ValidationError`` as ``{field: all its messages}`` (``__all__`` if it has no fields)."""
    if hasattr(error, "message_dict"):
        return messages_by_field(error.message_dict)
    return messages_by_field({"__all__": error.messages})
