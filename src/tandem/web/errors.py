"""Showing domain errors (``tandem.core.exceptions``) on pages, shared by the apps' views."""

from __future__ import annotations

from functools import wraps

from django.http import Http404

from tandem.core.exceptions import ApplicationError, NotFound


def not_found_as_404(view):
    """A ``NotFound`` from the view becomes the 404 page; other errors pass through."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None

    return wrapper


def form_add_error(form, error: ApplicationError) -> None:
    """Put a service's error on the form: by field where the form has one, else on top."""
    if not error.fields:
        form.add_error(None, error.message)
    for field, message in error.fields.items():
        form.add_error(field if field in form.fields else None, message)
