"""What every page of the app shares: the page size, how a domain error is shown, and the
way back to the mentorship after a change."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from tandem.core.web import friendly_errors

PAGE_SIZE = 20

mentorship_errors = friendly_errors(back="mentorship_list")


def back_to_mentorship(request: HttpRequest, mentorship_id: int, done: str) -> HttpResponseRedirect:
    """Say what the change did and show its mentorship, where the change is seen."""
    messages.success(request, done)
    return redirect("mentorship_detail", mentorship_id)
