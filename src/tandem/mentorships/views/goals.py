"""Goals, their progress and milestones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ApplicationError, form_error_fields
from tandem.mentorships import services
from tandem.mentorships.forms import GoalForm, GoalProgressForm, MilestoneForm
from tandem.mentorships.views.common import mentorship_errors

GOAL_FORM_INVALID = "Check the goal: it needs a short title."
PROGRESS_FORM_INVALID = "Progress is a whole number from 0 to 100."
MILESTONE_FORM_INVALID = "Give the milestone a title."
PROGRESS_UNCHANGED = (
    "Nothing changed: the goal already has that state and progress. Change one, "
    "or add a note, to record an update."
)


@login_required
@require_POST
@mentorship_errors
def goal_add(request, mentorship_id: int):
    form = GoalForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(GOAL_FORM_INVALID, fields=form_error_fields(form))
    services.goal_create(user=request.user, mentorship_id=mentorship_id, **form.cleaned_data)
    messages.success(request, "Goal added.")
    return redirect(reverse("mentorship_detail", args=[mentorship_id]) + "#goals")


@login_required
@require_POST
@mentorship_errors
def goal_progress(request, goal_id: int):
    form = GoalProgressForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(PROGRESS_FORM_INVALID, fields=form_error_fields(form))
    goal, update = services.goal_update_progress(
        user=request.user, goal_id=goal_id, **form.cleaned_data
    )
    if update is None:
        messages.info(request, PROGRESS_UNCHANGED)
    else:
        messages.success(request, "Progress saved.")
    return redirect(reverse("mentorship_detail", args=[goal.mentorship_id]) + "#goals")


@login_required
@require_POST
@mentorship_errors
def milestone_add(request, goal_id: int):
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(MILESTONE_FORM_INVALID, fields=form_error_fields(form))
    milestone = services.milestone_add(user=request.user, goal_id=goal_id, **form.cleaned_data)
    return redirect(reverse("mentorship_detail", args=[milestone.goal.mentorship_id]) + "#goals")


@login_required
@require_POST
@mentorship_errors
def milestone_toggle(request, milestone_id: int):
    milestone = services.milestone_toggle(user=request.user, milestone_id=milestone_id)
    return redirect(reverse("mentorship_detail", args=[milestone.goal.mentorship_id]) + "#goals")
