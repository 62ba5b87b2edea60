"""Pages that move a mentorship on: confirm the agreement at the midpoint, end early, complete."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ApplicationError
from tandem.core.web import form_add_error
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import CompleteForm, EndForm
from tandem.mentorships.views.common import back_to_mentorship, mentorship_errors


@login_required
@require_POST
@mentorship_errors
def midpoint_confirm(request, mentorship_id: int):
    services.mentorship_confirm_midpoint(user=request.user, mentorship_id=mentorship_id)
    return back_to_mentorship(request, mentorship_id, "Thanks: the agreement stays as it is.")


@login_required
@mentorship_errors
def mentorship_end(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_end_early(
                user=request.user, mentorship_id=mentorship_id, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            return back_to_mentorship(
                request,
                mentorship_id,
                "The mentorship has ended. Thank you for the time you gave it.",
            )
    return render(
        request, "mentorships/mentorship_end.html", {"mentorship": mentorship, "form": form}
    )


@login_required
@mentorship_errors
def mentorship_complete(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_complete(
                user=request.user,
                mentorship_id=mentorship_id,
                reflection=form.cleaned_data["reflection"],
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            return back_to_mentorship(request, mentorship_id, "Completed. Well done, both of you.")
    return render(
        request, "mentorships/mentorship_complete.html", {"mentorship": mentorship, "form": form}
    )
