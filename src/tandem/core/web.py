"""What every app's pages share: a domain error shown on a form, ``NotFound`` as the 404 page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django import forms
from django.http import Http404, HttpRequest

from tandem.core.exceptions import ApplicationError, NotFound


def not_found_as_404(view: Callable[..., Any]) -> Callable[..., Any]:
    """A ``NotFound`` from the view becomes the 404 page; other errors pass through."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None

    return wrapper


def form_add_error(
    form: forms.BaseForm, error: ApplicationError, *, prefixes: Mapping[str, str] | None = None
) -> None:
    """Put a service's error on the form: by field where the form has one, else on top.

    ``prefixes`` maps a service's nested field names to the form's flat ones, for example
    ``{"weights.": "weight_"}`` turns ``weights.skills`` into the ``weight_skills`` field.
    """
    for field, message in (error.fields or {"__all__": error.message}).items():
        name = field
        for service_prefix, form_prefix in (prefixes or {}).items():
            if name.startswith(service_prefix):
                name = form_prefix + name.removeprefix(service_prefix)
        form.add_error(name if name in form.fields else None, message)
