"""After an early end, the mentee's page "How did it go?": a few questions for the program's
admins (never the mentor), and the way to a new mentor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.core.web import form_add_error
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
    if feedback is None:
        return None
    return {
        "what_worked": feedback.what_worked,
        "what_did_not": feedback.what_did_not,
        "wants_new_mentor": feedback.wants_new_mentor,
    }


@login_required
@mentorship_errors
def early_end_feedback(request, mentorship_id: int):
    mentorship = selectors.access_mentorship_for_feedback(
        user=request.user, mentorship_id=mentorship_id
    )
    feedback = selectors.early_end_feedback_for(user=request.user, mentorship=mentorship)
    new_mentor = new_mentor_url(mentorship)
    form = EarlyEndFeedbackForm(
        request.POST or None,
        initial=_initial(feedback),
        admins_match=mentorship.program.admins_match,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, created = services.early_end_feedback_save(
                user=request.user, mentorship_id=mentorship_id, **form.answers()
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            program = mentorship.program.name
            messages.success(
                request,
                f"Thank you. The admins of {program} can read your answer now."
                if created
                else f"Saved. The admins of {program} read your answer as it stands.",
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
            "form": form,
            "new_mentor_url": new_mentor,
        },
    )
