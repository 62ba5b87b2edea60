"""Health pages: the panel on the mentorship page (the pair and the program's admins), the
program's oversight list for its admins, and the admins' one-click actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError
from tandem.core.forms import TextareaField
from tandem.core.pagination import page_of
from tandem.core.web import form_add_error, friendly_errors, require_form_methods, safe_next
from tandem.feedback.health import REASON_CODES, REASONS, suggested_actions
from tandem.feedback.health.audience import about_the_pair, reasons_about_the_pair
from tandem.feedback.models import INTERVENTION_NOTE_LIMIT, HealthState, MentorshipHealth
from tandem.feedback.selectors import health_reads as selectors
from tandem.feedback.selectors.guidance import guidance_for
from tandem.feedback.services import health as services
from tandem.feedback.services import health_actions
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.mentorships.panels import Panel
from tandem.mentorships.selectors import Viewer, access_mentorship_as_admin
from tandem.people.models import User
from tandem.programs.models import MatchingMode

PAGE_SIZE = 50
BADGES: dict[str, str] = {
    HealthState.THRIVING: "badge-ok",
    HealthState.ON_TRACK: "badge-ok",
    HealthState.AT_RISK: "badge-warn",
    HealthState.STALLED: "badge-bad",
}


def _concerns(health: MentorshipHealth, *, admin: bool = False) -> list[dict[str, Any]]:
    """The concerns, worded for the pair, or about the pair for an ``admin`` outside it."""
    found = [reason for reason in health.reasons if selectors.reason_concern(reason) is True]
    return reasons_about_the_pair(found) if admin else found


def _strengths(health: MentorshipHealth, *, admin: bool = False) -> list[dict[str, Any]]:
    found = [reason for reason in health.reasons if selectors.reason_concern(reason) is False]
    return reasons_about_the_pair(found) if admin else found


def next_step(health: MentorshipHealth, *, admin: bool = False) -> str:
    """The first suggested action for the most important reason (a strength when all is
    well), worded for the pair, or about the pair for an ``admin`` outside it."""
    for reason in health.reasons:
        if reason["code"] in REASONS:
            step = suggested_actions(str(reason["code"]))[0]
            return about_the_pair(step) if admin else step
    return ""


def health_panel(mentorship: Mentorship, viewer: Viewer, user: User) -> Panel | None:
    """The mentorship page's health section, for the pair and the program's admins (the only
    viewers the page lets in); nothing before the mentorship is active or after it ends."""
    if mentorship.state != MentorshipState.ACTIVE:
        return None
    if not (viewer.is_participant or viewer.is_admin):
        return None
    health = selectors.health_for_mentorship(mentorship=mentorship, reader=user)
    context: dict[str, Any] = {
        "mentorship": mentorship,
        "health": health,
        "viewer": viewer,
        "partner": mentorship.other(user) if viewer.is_participant else None,
    }
    if health is not None:
        admin = not viewer.is_participant
        concerns = _concerns(health, admin=admin)
        codes = [str(reason["code"]) for reason in concerns]
        context.update(
            badge=BADGES.get(health.state, ""),
            concerns=concerns,
            strengths=_strengths(health, admin=admin),
            next_step=next_step(health, admin=admin),
            guidance=guidance_for(mentorship.program, reason_codes=codes, limit=2)
            if codes and viewer.is_participant
            else [],
        )
    return Panel("feedback/health_panel.html", context, place="aside")


def _filters(request: AuthenticatedRequest) -> selectors.HealthFilters:
    state = request.GET.get("state", "")
    reason = request.GET.get("reason", "")
    return selectors.HealthFilters(
        state=state if state in HealthState.values else "",
        reason=reason if reason in REASONS else "",
        search=request.GET.get("q", "").strip()[:100],
    )


# Each row links its mentorship's page and actions: reversed once per page, not per row
# (a page of 50 rows would otherwise spend most of its time in ``reverse``).
ROW_LINKS = (
    "mentorship_detail",
    "feedback_health_checkin",
    "feedback_health_message",
    "feedback_health_rematch",
)
PLACEHOLDER = 2**31 - 1


def _link(name: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[PLACEHOLDER]).partition(str(PLACEHOLDER))
    return before, after


def _row(health: MentorshipHealth, user: User, links: dict[str, tuple[str, str]]) -> dict[str, Any]:
    mentorship = health.mentorship
    url = {name: f"{before}{mentorship.pk}{after}" for name, (before, after) in links.items()}
    # An admin who is one of the pair reads their own row as the pair does.
    outside = user.pk not in (mentorship.mentor_id, mentorship.mentee_id)
    return {
        "health": health,
        "m": mentorship,
        "url": url,
        "badge": BADGES.get(health.state, ""),
        "concerns": _concerns(health, admin=outside),
        "next_step": next_step(health, admin=outside),
        "acts": outside,
    }


@login_required
@friendly_errors(back="dashboard")
@require_safe
def program_health(request: AuthenticatedRequest, program_id: int) -> HttpResponse:
    """``/feedback/programs/<id>/health/``: the program's active mentorships by health,
    stalled first, with filters and the admins' actions; the reader's own pairs (an admin who
    mentors) as their side knows them."""
    program = selectors.access_program_for_health(user=request.user, program_id=program_id)
    filters = _filters(request)
    rows_known = selectors.health_list_for_program(
        program=program, reader_id=request.user.pk, filters=filters
    )
    page_obj = page_of(request, rows_known, PAGE_SIZE)
    links = {name: _link(name) for name in ROW_LINKS}
    rows = [_row(health, request.user, links) for health in page_obj.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/health_program.html",
        {
            "program": program,
            "page_obj": page_obj,
            "rows": rows,
            "filters": filters,
            "states": HealthState.choices,
            "reason_codes": [reason for reason in REASON_CODES if reason.concern],
            "state_counts": _state_counts(program.pk, request.user),
            "query_string": query.urlencode(),
            "here": request.get_full_path(),
            "here_encoded": quote(request.get_full_path(), safe=""),
        },
    )


def _state_counts(program_id: int, reader: User) -> list[tuple[str, str, int]]:
    counts = selectors.health_counts_for_programs(
        program_ids=[program_id], reader_id=reader.pk
    ).get(program_id, {})
    return [
        (state, HealthState(state).label, counts.get(state, 0)) for state in selectors.STATE_ORDER
    ]


def _back(request: AuthenticatedRequest, mentorship_id: int) -> str:
    return safe_next(request, reverse("mentorship_detail", args=[mentorship_id]), referer=True)


@login_required
@require_POST
@friendly_errors(back="dashboard")
def health_checkin_send(request: AuthenticatedRequest, mentorship_id: int) -> HttpResponse:
    health_actions.health_checkin_send(user=request.user, mentorship_id=mentorship_id)
    messages.success(request, "Sent: both of them are asked for a check-in.")
    return redirect(_back(request, mentorship_id))


@login_required
@require_POST
@friendly_errors(back="dashboard")
def health_rematch_propose(request: AuthenticatedRequest, mentorship_id: int) -> HttpResponse:
    intervention = health_actions.health_rematch_propose(
        user=request.user, mentorship_id=mentorship_id
    )
    mentorship = intervention.mentorship
    if mentorship.program.matching_mode == MatchingMode.SELF_SERVE:
        messages.success(
            request,
            f"Sent: {mentorship.mentee.display_name} is offered the ranked mentors to choose "
            "someone new.",
        )
        return redirect(_back(request, mentorship_id))
    messages.success(
        request,
        f"{mentorship.mentee.display_name} is told you will find someone new. A match run "
        f"includes them once their mentorship with {mentorship.mentor.display_name} has ended "
        "(either of them, or you on its page, can end it early): then forbid that pair in it.",
    )
    return redirect(health_actions.rematch_url(mentorship))


# The status and reason shown above the note are the admins', worked out from both sides'
# answers: quoted in the note, they would tell each of the pair what the other answered.
NOTE_HELP = (
    "Both of them get it as a notification; it does not go into their conversation, which "
    "stays theirs. Do not quote the status or its reason above: each of them sees one worked "
    "out without the other's check-in answers, so yours could tell one what the other answered."
)


class PairNoteForm(forms.Form):
    note = TextareaField(
        max_length=INTERVENTION_NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your note to the pair",
        help_text=NOTE_HELP,
    )


@login_required
@friendly_errors(back="dashboard")
@require_form_methods
def health_message_to_pair(request: AuthenticatedRequest, mentorship_id: int) -> HttpResponse:
    mentorship = access_mentorship_as_admin(user=request.user, mentorship_id=mentorship_id)
    form = PairNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            health_actions.health_message_to_pair(
                user=request.user, mentorship_id=mentorship_id, note=form.cleaned_data["note"]
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, "Sent to both of them.")
            return redirect(safe_next(request, services.health_page_url(mentorship.program_id)))
    return render(
        request,
        "feedback/health_message.html",
        {
            "mentorship": mentorship,
            "form": form,
            "health": selectors.health_for_mentorship(mentorship=mentorship, reader=request.user),
            "next": safe_next(request, services.health_page_url(mentorship.program_id)),
        },
    )
