"""Goals, their progress and milestones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.mentorships import selectors, services
from tandem.mentorships.forms import GoalForm
from tandem.mentorships.services.lifecycle import check_open
from tandem.mentorships.views.common import (
    SEE_THE_MARKED_FIELDS,
    mentorship_errors,
    submit_or_show_again,
    wanted_done,
)
from tandem.mentorships.views.mentorships import mentorship_page, milestone_form, progress_form

GOAL_FORM_INVALID = f"The goal was not added: {SEE_THE_MARKED_FIELDS}"
PROGRESS_FORM_INVALID = f"The progress was not saved: {SEE_THE_MARKED_FIELDS}"
MILESTONE_FORM_INVALID = f"The milestone was not added: {SEE_THE_MARKED_FIELDS}"
PROGRESS_UNCHANGED = (
    "Nothing changed: the goal already has that state and progress. Change one, "
    "or add a note, to record an update."
)


def _goals(mentorship_id: int) -> str:
    return reverse("mentorship_detail", args=[mentorship_id]) + "#goals"


@login_required
@require_POST
@mentorship_errors
def goal_add(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)

    def save(data):
        services.goal_create(user=request.user, mentorship_id=mentorship_id, **data)
        messages.success(request, "Goal added.")
        return redirect(_goals(mentorship_id))

    return submit_or_show_again(
        request,
        GoalForm(request.POST),
        save,
        invalid=GOAL_FORM_INVALID,
        page=lambda form: mentorship_page(request, mentorship_id, goal_form=form),
        check=lambda: check_open(mentorship),
    )


@login_required
@require_POST
@mentorship_errors
def goal_progress(request, goal_id: int):
    goal = selectors.access_goal(user=request.user, goal_id=goal_id)

    def save(data):
        _, update = services.goal_update_progress(user=request.user, goal_id=goal_id, **data)
        if update is None:
            messages.info(request, PROGRESS_UNCHANGED)
        else:
            messages.success(request, "Progress saved.")
        return redirect(_goals(goal.mentorship_id))

    return submit_or_show_again(
        request,
        progress_form(goal, request.POST),
        save,
        invalid=PROGRESS_FORM_INVALID,
        page=lambda form: mentorship_page(
            request, goal.mentorship_id, goal_forms={goal.pk: {"progress": form}}
        ),
        check=lambda: check_open(goal.mentorship),
    )


@login_required
@require_POST
@mentorship_errors
def milestone_add(request, goal_id: int):
    goal = selectors.access_goal(user=request.user, goal_id=goal_id)

    def save(data):
        services.milestone_add(user=request.user, goal_id=goal_id, **data)
        return redirect(_goals(goal.mentorship_id))

    return submit_or_show_again(
        request,
        milestone_form(goal.pk, request.POST),
        save,
        invalid=MILESTONE_FORM_INVALID,
        page=lambda form: mentorship_page(
            request, goal.mentorship_id, goal_forms={goal.pk: {"milestone": form}}
        ),
        check=lambda: check_open(goal.mentorship),
    )


@login_required
@require_POST
@mentorship_errors
def milestone_toggle(request, milestone_id: int):
    milestone = services.milestone_toggle(
        user=request.user, milestone_id=milestone_id, done=wanted_done(request)
    )
    return redirect(_goals(milestone.goal.mentorship_id))
