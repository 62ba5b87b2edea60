"""After an early end, the mentee's page "A new mentor": the way to one, and in a cohort program
whether they would like the admins to match them again (never read by the mentor). How it went
is the closing survey's to ask."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.core.web import require_form_methods
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import EarlyEndFeedbackForm
from tandem.mentorships.models import EarlyEndFeedback, Mentorship
from tandem.mentorships.views.common import mentorship_errors
from tandem.programs.selectors import is_program_admin


def new_mentor_url(mentorship: Mentorship) -> str:
    """The ranked list of mentors wherever the mentee may request one (self-serve, or a cohort
    program that allows direct requests); empty where only the admins match people. A cohort
    program that allows requests offers both ways (journeys review: its page said only that
    the admins would match them)."""
    if not mentorship.program.takes_direct_requests:
        return ""
    return reverse("program_mentors", args=[mentorship.program.slug])


def _initial(feedback: EarlyEndFeedback | None) -> dict | None:
    return None if feedback is None else {"wants_new_mentor": feedback.wants_new_mentor}


@login_required
@mentorship_errors
@require_form_methods
def early_end_feedback(request, mentorship_id: int):
    mentorship = selectors.access_mentorship_for_feedback(
        user=request.user, mentorship_id=mentorship_id
    )
    feedback = selectors.early_end_feedback_for(user=request.user, mentorship=mentorship)
    new_mentor = new_mentor_url(mentorship)
    admins_match = mentorship.program.admins_match
    # A checkbox left unticked sends nothing: an empty POST is still an answer ("no").
    posted = request.POST if request.method == "POST" else None
    form = EarlyEndFeedbackForm(posted, initial=_initial(feedback))
    if request.method == "POST" and admins_match and form.is_valid():
        wants = form.answers()["wants_new_mentor"]
        services.early_end_feedback_save(
            user=request.user, mentorship_id=mentorship_id, wants_new_mentor=wants
        )
        changed = wants != bool(feedback and feedback.wants_new_mentor)
        program = mentorship.program.name
        messages.success(
            request,
            f"Saved. The admins of {program} can see it now." if changed else "Nothing changed.",
        )
        return redirect("early_end_feedback", mentorship.pk)
    mentor = mentorship.mentor
    return render(
        request,
        "mentorships/early_end_feedback.html",
        {
            "mentorship": mentorship,
            "mentor": mentor,
            "mentor_is_admin": is_program_admin(user=mentor, program_id=mentorship.program_id),
            "has_reader": bool(selectors.admins_outside_pair(mentorship=mentorship)),
            "feedback": feedback,
            "form": form if admins_match else None,
            "new_mentor_url": new_mentor,
        },
    )
