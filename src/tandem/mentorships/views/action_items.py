"""Action items: add one, tick it off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ApplicationError, form_error_fields
from tandem.core.web import is_htmx, safe_next
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import ActionItemForm
from tandem.mentorships.views.common import mentorship_errors

ACTION_ITEM_FORM_INVALID = "Describe the action item and choose its owner."


@login_required
@require_POST
@mentorship_errors
def action_item_add(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = ActionItemForm(
        request.POST,
        mentorship=mentorship,
        meetings=selectors.meeting_list_for_mentorship(mentorship=mentorship),
    )
    if not form.is_valid():
        raise ApplicationError(ACTION_ITEM_FORM_INVALID, fields=form_error_fields(form))
    data = form.cleaned_data
    services.action_item_create(
        user=request.user,
        mentorship_id=mentorship_id,
        description=data["description"],
        owner_id=data["owner"],
        due_on=data["due_on"],
        meeting_id=data["meeting"],
    )
    messages.success(request, "Action item added.")
    return redirect(
        safe_next(request, reverse("mentorship_detail", args=[mentorship_id]) + "#action-items")
    )


@login_required
@require_POST
@mentorship_errors
def action_item_toggle(request, action_item_id: int):
    item = services.action_item_toggle(user=request.user, action_item_id=action_item_id)
    if is_htmx(request):
        return render(
            request,
            "mentorships/_action_item.html",
            {"item": item, "can_write": True, "today": timezone.localdate()},
        )
    return redirect(reverse("mentorship_detail", args=[item.mentorship_id]) + "#action-items")
