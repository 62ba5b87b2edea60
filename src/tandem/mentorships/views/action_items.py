"""Action items: add one, tick it off."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.core.web import is_htmx, safe_next
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import ActionItemForm
from tandem.mentorships.services.lifecycle import check_open
from tandem.mentorships.views.common import (
    SEE_THE_MARKED_FIELDS,
    mentorship_errors,
    submit_or_show_again,
    wanted_done,
)
from tandem.mentorships.views.meetings import meeting_page
from tandem.mentorships.views.mentorships import mentorship_page

ACTION_ITEM_FORM_INVALID = f"The action item was not added: {SEE_THE_MARKED_FIELDS}"


@login_required
@require_POST
@mentorship_errors
def action_item_add(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)

    def save(data):
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

    meeting = _meeting_page_sent_from(request, mentorship_id)
    if meeting is not None:  # its form names the meeting in a hidden field
        form = ActionItemForm(
            request.POST, mentorship=mentorship, meetings=[meeting], fixed_meeting=True
        )
        page = partial(meeting_page, request, meeting)
    else:
        meetings = selectors.meeting_list_for_mentorship(mentorship=mentorship)
        form = ActionItemForm(request.POST, mentorship=mentorship, meetings=meetings)
        page = partial(mentorship_page, request, mentorship_id)
    return submit_or_show_again(
        request,
        form,
        save,
        invalid=ACTION_ITEM_FORM_INVALID,
        page=lambda form: page(action_form=form),
        check=lambda: check_open(mentorship),
    )


def _meeting_page_sent_from(request, mentorship_id: int):
    """The meeting of this mentorship whose page sent the form (its ``next``), if one did:
    the form is shown again there."""
    try:
        match = resolve(urlsplit(safe_next(request, "/")).path)
    except Resolver404:
        return None
    if match.url_name != "meeting_detail":
        return None
    meeting = selectors.access_meeting(user=request.user, meeting_id=match.kwargs["meeting_id"])
    return meeting if meeting.mentorship_id == mentorship_id else None


@login_required
@require_POST
@mentorship_errors
def action_item_toggle(request, action_item_id: int):
    item = services.action_item_toggle(
        user=request.user, action_item_id=action_item_id, done=wanted_done(request)
    )
    if is_htmx(request):
        return render(
            request,
            "mentorships/_action_item.html",
            {"item": item, "can_write": True, "today": timezone.localdate()},
        )
    return redirect(reverse("mentorship_detail", args=[item.mentorship_id]) + "#action-items")
