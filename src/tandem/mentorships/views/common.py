"""What every page of the app shares: the page size, htmx detection, and turning a domain
error into a page or a message."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tandem.core.exceptions import ApplicationError
from tandem.core.web import not_found_as_404

PAGE_SIZE = 20


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def friendly_errors(view):
    """Domain errors become a page that says what went wrong (404s stay 404s)."""
    view = not_found_as_404(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            if request.method == "POST" and not is_htmx(request):
                messages.error(
                    request,
                    " ".join(
                        [error.message, *[m for m in error.fields.values() if m != error.message]]
                    ),
                )
                return redirect(safe_next(request, reverse("mentorship_list")))
            return render(request, "mentorships/error.html", {"error": error}, status=error.status)

    return wrapper


def safe_next(request, fallback: str) -> str:
    """A same-site URL to go back to (never an open redirect)."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback
