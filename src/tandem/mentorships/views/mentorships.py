"""The list of one's mentorships, a program's mentorships for its admins, and the
mentorship page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from tandem.core.pagination import page_of
from tandem.mentorships import selectors
from tandem.mentorships.forms import ActionItemForm, AgendaForm, GoalForm
from tandem.mentorships.models import GoalState, MentorshipState
from tandem.mentorships.views.common import PAGE_SIZE, mentorship_errors


@login_required
def mentorship_list(request):
    qs = selectors.mentorship_list_for(user=request.user)
    page_obj = page_of(request, qs, PAGE_SIZE)
    return render(
        request,
        "mentorships/mentorship_list.html",
        {
            "page_obj": page_obj,
            "overdue": list(selectors.action_items_overdue_for(user=request.user)[:20]),
            "upcoming": list(selectors.meetings_upcoming_for(user=request.user)[:10]),
        },
    )


@login_required
@mentorship_errors
def program_mentorships(request, program_id: int):
    qs = selectors.mentorship_list_for_program_admin(user=request.user, program_id=program_id)
    page_obj = page_of(request, qs, 50)
    return render(
        request,
        "mentorships/program_mentorships.html",
        {
            "page_obj": page_obj,
            "program": page_obj.object_list[0].program if page_obj.object_list else None,
            "open_problems": selectors.problem_report_open_count(
                user=request.user, program_id=program_id
            ),
        },
    )


@login_required
@mentorship_errors
def mentorship_detail(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(
        user=request.user, mentorship_id=mentorship_id, need=selectors.MentorshipAccess.OVERVIEW
    )
    viewer = selectors.Viewer.of(mentorship, request.user)
    context = {
        "mentorship": mentorship,
        "viewer": viewer,
        "can_see_end_reason": viewer.is_admin or mentorship.ended_by_id == request.user.pk,
    }
    if not viewer.can_read_content:
        # Program admins: status, dates and counts; the pair's content stays theirs.
        context["overview"] = selectors.mentorship_overview(mentorship=mentorship)
        context["problem_reports"] = list(
            selectors.problem_report_list_for_mentorship(user=request.user, mentorship=mentorship)[
                :50
            ]
        )
        return render(request, "mentorships/mentorship_detail.html", context)
    page = selectors.mentorship_page(mentorship=mentorship, viewer=viewer)
    context.update(
        page=page,
        other=mentorship.other(request.user),
        today=timezone.localdate(),
        goal_states=GoalState.choices,
        shared_notes=[m for m in page.meetings if m.shared_notes],
        private_notes=selectors.private_notes_for(user=request.user, mentorship=mentorship),
    )
    if mentorship.is_open:
        context.update(
            goal_form=GoalForm(),
            action_form=ActionItemForm(
                mentorship=mentorship,
                meetings=page.meetings,
                initial={"owner": mentorship.mentee_id},
            ),
            agenda_form=AgendaForm(),
            can_complete=(
                mentorship.state == MentorshipState.ACTIVE
                and mentorship.ends_on
                and timezone.localdate() >= mentorship.ends_on
            ),
            midpoint_due=(
                mentorship.state == MentorshipState.ACTIVE
                and mentorship.starts_on
                and mentorship.ends_on
                and not mentorship.midpoint_confirmed_at
                and timezone.localdate()
                >= mentorship.starts_on + (mentorship.ends_on - mentorship.starts_on) / 2
            ),
        )
    return render(request, "mentorships/mentorship_detail.html", context)
