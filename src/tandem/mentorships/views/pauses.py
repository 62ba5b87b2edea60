"""Declaring a pause ("we are pausing until <date>") and ending one, for either of the pair;
the program's admins read the dates only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ApplicationError
from tandem.core.forms import DateField
from tandem.core.templatetags.readable_dates import day_in
from tandem.core.web import form_add_error, require_form_methods
from tandem.mentorships import selectors, services
from tandem.mentorships.selectors.pauses import access_pause, pause_list_for_mentorship
from tandem.mentorships.services.pauses import today_for
from tandem.mentorships.views.common import mentorship_errors


class PauseForm(forms.Form):
    starts_on = DateField(label="From", required=False)
    ends_on = DateField(
        label="Back on", help_text="The first day you are both back (at most 92 days later)."
    )

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].help_text = f"Today ({zone} time) when left empty."


@login_required
@mentorship_errors
@require_form_methods
def mentorship_pauses(request, mentorship_id: int):
    """The pair's pauses with the form to declare one (for the pair); the list alone for the
    program's admins."""
    mentorship = selectors.access_mentorship(
        user=request.user, mentorship_id=mentorship_id, need=selectors.MentorshipAccess.OVERVIEW
    )
    in_pair = mentorship.is_participant(request.user)
    today, zone = today_for(request.user)
    form = PauseForm(request.POST or None, zone=zone.key) if in_pair else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            pause = services.mentorship_pause_declare(
                user=request.user,
                mentorship_id=mentorship_id,
                ends_on=form.cleaned_data["ends_on"],
                starts_on=form.cleaned_data["starts_on"],
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            other = mentorship.other(request.user).display_name
            messages.success(
                request, f"Paused until {day_in(pause.ends_on)}; {other} has been told."
            )
            return redirect("mentorship_pauses", mentorship_id)
    return render(
        request,
        "mentorships/pauses.html",
        {
            "mentorship": mentorship,
            "form": form,
            "pauses": list(
                pause_list_for_mentorship(user=request.user, mentorship_id=mentorship_id)[:50]
            ),
            "today": today,
            "zone": zone.key,
            "in_pair": in_pair,
            "other": mentorship.other(request.user) if in_pair else None,
        },
    )


@login_required
@require_POST
@mentorship_errors
def mentorship_pause_end(request, pause_id: int):
    pause = access_pause(user=request.user, pause_id=pause_id)
    mentorship_id = pause.mentorship_id
    ended = services.mentorship_pause_end(user=request.user, pause_id=pause_id)
    messages.success(request, "Pause withdrawn." if ended is None else "Welcome back: pause ended.")
    return redirect("mentorship_pauses", mentorship_id)
