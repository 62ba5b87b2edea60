"""The list of one's mentorships, a program's mentorships for its admins, and the
mentorship page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tandem.core.pagination import page_of
from tandem.mentorships import selectors
from tandem.mentorships.forms import ActionItemForm, GoalForm, GoalProgressForm, MilestoneForm
from tandem.mentorships.models import Goal, MentorshipState
from tandem.mentorships.panels import panels_for
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.services.agreement import agreement_seen
from tandem.mentorships.views.common import PAGE_SIZE, mentorship_errors
from tandem.mentorships.views.early_end import new_mentor_url
from tandem.programs.selectors import person_ever_enrolled


@login_required
@require_safe
def mentorship_list(request):
    qs = selectors.mentorship_list_for(user=request.user)
    page_obj = page_of(request, qs, PAGE_SIZE)
    return render(
        request,
        "mentorships/mentorship_list.html",
        {
            "page_obj": page_obj,
            # Someone in no program cannot ask anyone to mentor them: the empty page says how
            # to join one (and, to site staff, where every program's mentoring is seen).
            "in_no_program": not page_obj.object_list
            and not person_ever_enrolled(user=request.user),
            "overdue": list(selectors.action_items_overdue_for(user=request.user)[:20]),
            "upcoming": list(selectors.meetings_upcoming_for(user=request.user)[:10]),
        },
    )


@login_required
@mentorship_errors
@require_safe
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
            "new_mentor_wishes": list(
                selectors.new_mentor_wishes_for_program(user=request.user, program_id=program_id)[
                    :50
                ]
            ),
        },
    )


def _names(people: list, *, viewer) -> str:
    """``you and Mira Example``: who is meant, the viewer named as "you"."""
    names = ["you" if person.pk == viewer.pk else person.display_name for person in people]
    return " and ".join(names)


def _signing(mentorship, page, user) -> dict:
    """What the page says about the version that waits for signatures, if one does."""
    waiting = page.waiting
    if waiting is None:
        return {}
    missing = selectors.still_to_sign(mentorship=mentorship, version=waiting)
    return {
        "still_to_sign": _names(missing, viewer=user),
        "my_signature_needed": any(person.pk == user.pk for person in missing),
    }


def _overview_context(request, mentorship) -> dict:
    """Program admins: status, dates and counts; the pair's content stays theirs. The
    mentee's answer after an early end is for the admins outside the pair."""
    return {
        "overview": selectors.mentorship_overview(mentorship=mentorship),
        "problem_reports": list(
            selectors.problem_report_list_for_mentorship(user=request.user, mentorship=mentorship)[
                :50
            ]
        ),
        "feedback": selectors.early_end_feedback_for(user=request.user, mentorship=mentorship),
    }


def _open_context(mentorship, page) -> dict:
    """The forms and prompts of a mentorship still going."""
    today = timezone.localdate()
    active = mentorship.state == MentorshipState.ACTIVE
    return {
        "goal_form": GoalForm(),
        "action_form": ActionItemForm(
            mentorship=mentorship,
            meetings=page.meetings,
            initial={"owner": mentorship.mentee_id},
        ),
        "can_complete": active and mentorship.ends_on and today >= mentorship.ends_on,
        "midpoint_due": (
            active and not mentorship.midpoint_confirmed_at and mentorship.midpoint_reached(today)
        ),
    }


def progress_form(goal: Goal, data: QueryDict | None = None) -> GoalProgressForm:
    """The form updating ``goal``'s state and progress; its ids are the goal's own on a page
    of several goals."""
    return GoalProgressForm(
        data, initial={"state": goal.state, "percent": goal.percent}, auto_id=f"%s-{goal.pk}"
    )


def milestone_form(goal_id: int, data: QueryDict | None = None) -> MilestoneForm:
    """The form adding a milestone to the goal ``goal_id``."""
    return MilestoneForm(data, auto_id=f"ms-%s-{goal_id}")


def _goal_rows(goals, *, writable: bool, again: dict[int, dict[str, Any]]) -> list[tuple]:
    """Each goal with its progress and milestone forms (none where they cannot be written);
    ``again`` holds the forms shown again, by goal, in place of empty ones (where they cannot
    be written, alone: one sent as the mentorship ended, with the reason it was refused)."""
    rows = []
    for goal in goals:
        shown = again.get(goal.pk, {})
        if writable:
            shown = {"progress": progress_form(goal), "milestone": milestone_form(goal.pk), **shown}
        rows.append((goal, shown.get("progress"), shown.get("milestone")))
    return rows


@login_required
@mentorship_errors
@require_safe
def mentorship_detail(request, mentorship_id: int):
    """One page whose order follows the relationship: the agreement first until both have
    signed; then the next meeting, open action items and goals, the agreement folded away;
    after the end, how it ended (and, for the mentee of an early end, "A new mentor")."""
    return mentorship_page(request, mentorship_id)


def mentorship_page(
    request,
    mentorship_id: int,
    *,
    goal_forms: dict[int, dict[str, Any]] | None = None,
    **shown: Any,
) -> HttpResponse:
    """The mentorship page; ``shown`` replaces its forms (one shown again with what was typed)
    and ``goal_forms`` a goal's (``{goal id: {"progress" or "milestone": form}}``)."""
    mentorship = selectors.access_mentorship(
        user=request.user, mentorship_id=mentorship_id, need=selectors.MentorshipAccess.OVERVIEW
    )
    viewer = selectors.Viewer.of(mentorship, request.user)
    context = {
        "mentorship": mentorship,
        "viewer": viewer,
        "can_see_end_reason": viewer.is_admin or mentorship.ended_by_id == request.user.pk,
        "panels": panels_for(mentorship, viewer, request.user),
    }
    if not viewer.can_read_content:
        context.update(_overview_context(request, mentorship))
        return render(request, "mentorships/mentorship_detail.html", context)
    page = selectors.mentorship_page(mentorship=mentorship, viewer=viewer)
    if page.waiting:
        # The page shows the version awaiting signatures with its "Sign" button: the notice
        # that asked for it has been delivered.
        agreement_seen(user=request.user, mentorship=mentorship)
    other = mentorship.other(request.user)
    context.update(
        page=page,
        other=other,
        my_zone=zone_of(request.user),
        other_zone=zone_of(other),
        today=timezone.localdate(),
        shared_notes=[m for m in page.meetings if m.shared_notes],
        private_notes=selectors.private_notes_for(user=request.user, mentorship=mentorship),
        feedback=selectors.early_end_feedback_for(user=request.user, mentorship=mentorship),
        asks_feedback=(
            mentorship.state == MentorshipState.ENDED_EARLY
            and request.user.pk == mentorship.mentee_id
        ),
        new_mentor_url=new_mentor_url(mentorship),
        admins_match=mentorship.program.admins_match,
        **_signing(mentorship, page, request.user),
    )
    if mentorship.is_open:
        context.update(_open_context(mentorship, page))
    context.update(
        goal_rows=_goal_rows(
            page.goals,
            writable=viewer.is_participant and mentorship.is_open,
            again=goal_forms or {},
        ),
        **shown,
    )
    return render(request, "mentorships/mentorship_detail.html", context)
