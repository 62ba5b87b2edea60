"""The page a person sees instead of a program page's 404 when their own request to join that
program awaits approval, they wait on its waitlist, or their enrolment in it was closed. It
says only what concerns their own enrolment; everyone else still gets the same 404 as for a
program that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.programs import selectors
from tandem.programs.models import EnrolmentStatus
from tandem.programs.selectors.waitlist import enrolments_mark_waitlist_position


def standing_page(request: HttpRequest, slug: str) -> HttpResponse | None:
    """The page for the caller's own pending, waitlisted, closed or left enrolments in
    ``slug``, else None."""
    mine = selectors.own_standing_in(user=request.user, slug=slug)
    if not mine:
        return None
    enrolments_mark_waitlist_position(enrolments=mine)
    return render(
        request,
        "programs/enrolment_standing.html",
        {
            "program": mine[0].program,
            "pending": [e for e in mine if e.status == EnrolmentStatus.PENDING],
            "waitlisted": [e for e in mine if e.status == EnrolmentStatus.WAITLISTED],
            "closed": [e for e in mine if e.status == EnrolmentStatus.REMOVED],
            "left": [e for e in mine if e.status == EnrolmentStatus.LEFT],
        },
        status=403,
    )


def shows_own_standing(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a program page (``slug`` in its URL) whose 404 should be the standing page for a
    person whose own enrolment awaits approval, waits on the waitlist or was closed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            page = standing_page(request, kwargs["slug"])
            if page is None:
                raise
            return page
        if response.status_code == 404:
            return standing_page(request, kwargs["slug"]) or response
        return response

    return wrapper
