"""The one domain exception every service raises; API and views map it to 4xx in one place."""

from __future__ import annotations


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
        self.fields = {str(k): _as_text(v) for k, v in (fields or {}).items()}
        self.status = status

    def as_dict(self) -> dict:
        return {"detail": self.message, "fields": self.fields}


def _as_text(messages) -> str:
    if isinstance(messages, str):
        return messages
    return "; ".join(str(message) for message in messages)


class NotFound(ApplicationError):
    def __init__(self, message: str = "Not found."):
        super().__init__(message, status=404)


class PermissionDenied(ApplicationError):
    def __init__(self, message: str = "You do not have permission to do that."):
        super().__init__(message, status=403)


def form_error_fields(form) -> dict[str, str]:
    """A bound, invalid form's errors as ``{field: message}`` for an ``ApplicationError``."""
    return {field: "; ".join(messages) for field, messages in form.errors.items()}


def validation_error_fields(error) -> dict[str, str]:
    """Flatten a Django ``ValidationError`` into ``{field: first message}``."""
    if hasattr(error, "message_dict"):
        return {field: "; ".join(messages) for field, messages in error.message_dict.items()}
    return {"__all__": "; ".join(error.messages)}
