"""What every page of the app shares: the page size, how a domain error is shown, the way
back to the mentorship after a change, a small form shown again with what was typed, and
which of two times a meeting was put at when the clocks show its time twice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, PermissionDenied, Repeated
from tandem.core.web import form_add_error, friendly_errors, is_htmx
from tandem.mentorships.scheduling import twice_note

PAGE_SIZE = 20
# How the line above a refused small form ends: it names no cause of its own, since the one it
# guessed (a missing title) was wrong whenever another field was the problem.
SEE_THE_MARKED_FIELDS = "change what is marked below."

mentorship_errors = friendly_errors(back="mentorship_list")


def wanted_done(request: HttpRequest) -> bool | None:
    """The state a page's check box asks for (its hidden ``done``: ``true`` or ``false``), so a
    double click lands once instead of undoing itself; None when the form sent none. Anything
    else is a 400 rather than a flip (crawl: ``done=maybe`` toggled the item, as the API's 422
    does not)."""
    sent = request.POST.get("done")
    if sent is None:
        return None
    if sent not in ("true", "false"):
        raise BadRequest("done: send true or false.")
    return sent == "true"


def back_to_mentorship(request: HttpRequest, mentorship_id: int, done: str) -> HttpResponseRedirect:
    """Say what the change did and show its mentorship, where the change is seen."""
    messages.success(request, done)
    return redirect("mentorship_detail", mentorship_id)


def say_which_of_two(request: HttpRequest, starts_at: datetime) -> None:
    """After a meeting is put at ``starts_at`` from a time typed on the viewer's clocks: which
    of the two it is, when the clocks show that time twice that day (they go back)."""
    if twice := twice_note(starts_at, timezone.get_current_timezone()):
        messages.info(request, twice)


def submit_or_show_again(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[Mapping[str, Any]], HttpResponse],
    *,
    invalid: str,
    page: Callable[[forms.BaseForm], HttpResponse],
    fragment: Callable[[forms.BaseForm], HttpResponse] | None = None,
    check: Callable[[], None] | None = None,
) -> HttpResponse:
    """``save(cleaned_data)`` a valid form; otherwise show the page the form was on again
    (``page(form)``), the form bound to what was typed, ``invalid`` above it and each error
    on its field, focused and in view, with status 400 (or the service's refusal's status).

    A redirect with a flash message would lose the typing and name no field. An htmx request
    gets the form alone (``fragment(form)``) swapped for the one sent (``HX-Retarget: this``;
    web/behaviours.js swaps such a 4xx). Not found or not allowed stays the page's usual
    answer (``friendly_errors``): there is no form of theirs to show again, and so is a
    repeat of a submit already done (``Repeated``: the first one's result is shown).

    ``check()`` runs before the form is read: its refusal (the mentorship has ended) is the
    answer to a form with mistakes too, which no correction could save."""
    status = 400
    try:
        if check is not None:
            check()
        if form.is_valid():
            return save(form.cleaned_data)
        form.add_error(None, invalid)
    except (NotFound, PermissionDenied, Repeated):
        raise
    except ApplicationError as error:
        form_add_error(form, error)
        status = error.status
    first = next((name for name in form.errors if name in form.fields), None)
    if first is not None:
        form.fields[first].widget.attrs["autofocus"] = True
    if status != 400 and not is_htmx(request):
        # A refusal no correction could save (the mentorship has ended) is said at the top
        # too, where the page opens, not only in the form far below.
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
    if fragment is not None and is_htmx(request):
        response = fragment(form)
        response["HX-Retarget"] = "this"
        response["HX-Reswap"] = "outerHTML"
    else:
        response = page(form)
    response.status_code = status
    return response
