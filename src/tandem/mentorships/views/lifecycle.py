"""Pages that move a mentorship on: confirm the agreement at the midpoint, end early (one of
the pair, or an admin of the program for the program), complete."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ApplicationError
from tandem.core.web import confirm_page, confirmed, form_add_error, require_form_methods
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import AdminEndForm, CompleteForm, EndForm
from tandem.mentorships.models import Mentorship
from tandem.mentorships.views.common import back_to_mentorship, mentorship_errors


@login_required
@require_POST
@mentorship_errors
def midpoint_confirm(request, mentorship_id: int):
    services.mentorship_confirm_midpoint(user=request.user, mentorship_id=mentorship_id)
    return back_to_mentorship(request, mentorship_id, "Thanks: the agreement stays as it is.")


def _ended(request, form, end: Callable[..., Mentorship], mentorship_id: int) -> bool:
    """Whether the confirmed step with a valid reason ended the mentorship through ``end``
    (the pair's service or the admins'); the service's errors go on the form."""
    if not (confirmed(request) and form.is_valid()):
        return False
    try:
        end(
            user=request.user,
            mentorship_id=mentorship_id,
            reason=form.cleaned_data["reason"],
            category=form.cleaned_data["category"],
        )
    except services.AlreadyEnded:
        raise
    except ApplicationError as error:
        form_add_error(form, error)
        return False
    return True


def _already_ended(request, mentorship: Mentorship, notice: str):
    """Instead of the end page once it has ended: who ended it and when, and the way back."""
    return render(
        request, "mentorships/already_ended.html", {"mentorship": mentorship, "notice": notice}
    )


@login_required
@mentorship_errors
@require_form_methods
def mentorship_end(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = EndForm(request.POST or None)
    try:
        services.check_not_ended(mentorship=mentorship, user=request.user)
        if _ended(request, form, services.mentorship_end_early, mentorship_id):
            done = "The mentorship has ended. Thank you for the time you gave it."
            if request.user.pk == mentorship.mentee_id:
                messages.success(request, done)
                return redirect("early_end_feedback", mentorship_id)
            return back_to_mentorship(request, mentorship_id, done)
    except services.AlreadyEnded as ended:
        return _already_ended(request, mentorship, ended.message)
    partner = mentorship.mentee if request.user == mentorship.mentor else mentorship.mentor
    return confirm_page(
        request,
        title="End this mentorship early?",
        consequences=[
            "Your agreement has a no-fault exit: either of you may end it at any time, "
            "without blame. It ends now for both of you.",
            "Every meeting still to come is cancelled.",
            f"{partner.display_name} is told that it ended, never why. The program's admins are "
            "told that it ended early, and when.",
            f"{mentorship.mentee.display_name if partner == mentorship.mentee else 'You'} "
            "will be asked how it went, once, in a closing survey, and offered a new mentor.",
            "Its agreement, meetings and history are kept on its page.",
            "It cannot be undone.",
        ],
        button="End the mentorship",
        back=reverse("mentorship_detail", args=[mentorship.pk]),
        keep="Keep it going",
        form=form,
    )


@login_required
@mentorship_errors
@require_form_methods
def mentorship_admin_end(request, mentorship_id: int):
    """An admin of the program (not one of the pair) ends the mentorship early, after a page
    that says what will happen, with a reason only the admins read."""
    mentorship = selectors.access_mentorship_as_admin(
        user=request.user, mentorship_id=mentorship_id
    )
    form = AdminEndForm(request.POST or None)
    try:
        services.check_not_ended(mentorship=mentorship, user=request.user)
        if _ended(request, form, services.mentorship_end_early_as_admin, mentorship_id):
            return back_to_mentorship(
                request,
                mentorship_id,
                "The mentorship has ended. Both of them have been told, and "
                f"{mentorship.mentee.display_name} is asked how it went.",
            )
    except services.AlreadyEnded as ended:
        return _already_ended(request, mentorship, ended.message)
    mentor, mentee = mentorship.mentor.display_name, mentorship.mentee.display_name
    return confirm_page(
        request,
        title=f"End the mentorship of {mentor} and {mentee} early?",
        consequences=[
            "It ends now, for both of them, and cannot be undone.",
            f"{mentor} and {mentee} are both told that the program ended it; never why: "
            "the reason below is for the program's admins only.",
            "Every meeting still to come is cancelled, and their conversation takes no new "
            "messages (what they wrote stays readable to them).",
            f"{mentee} is asked how it went and offered a new mentor, never {mentor} again.",
            "The program's other admins are told that it ended early. Its history says it was "
            "ended by the program admin; its agreement, meetings and history are kept.",
        ],
        button="End the mentorship",
        back=reverse("mentorship_detail", args=[mentorship.pk]),
        keep="Keep it going",
        form=form,
    )


@login_required
@mentorship_errors
@require_form_methods
def mentorship_complete(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = CompleteForm(request.POST or None)
    too_early = None
    try:
        services.check_not_ended(mentorship=mentorship, user=request.user)
        if request.method != "POST":
            try:
                services.check_completable(mentorship=mentorship)
            except ApplicationError as error:
                too_early = error.message  # said before a reflection is written in vain
        if request.method == "POST" and form.is_valid():
            services.mentorship_complete(
                user=request.user,
                mentorship_id=mentorship_id,
                reflection=form.cleaned_data["reflection"],
            )
            return back_to_mentorship(request, mentorship_id, "Completed. Well done, both of you.")
    except services.AlreadyEnded as ended:
        return _already_ended(request, mentorship, ended.message)
    except ApplicationError as error:
        form_add_error(form, error)
    return render(
        request,
        "mentorships/mentorship_complete.html",
        {"mentorship": mentorship, "form": form, "too_early": too_early},
    )
