"""Pages for requests, mentorships and meetings. Thin: parse a form, call one service,
render or redirect. Every in-page action also works without JavaScript (plain POST and
redirect); with htmx the partial is swapped in place."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tandem.core.dates import date_in_range
from tandem.core.exceptions import ApplicationError, form_error_fields
from tandem.core.web import form_add_error, not_found_as_404
from tandem.mentorships import calendar as ics
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import (
    ActionItemForm,
    AgendaForm,
    AgreementForm,
    CompleteForm,
    DeclineForm,
    EndForm,
    GoalForm,
    GoalProgressForm,
    MeetingForm,
    MilestoneForm,
    NotesForm,
    PrivateNoteForm,
    RequestForm,
    RescheduleForm,
)
from tandem.mentorships.models import GoalState, MentorshipState
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.services.agreement_content import EXAMPLES

PAGE_SIZE = 20
GOAL_FORM_INVALID = "Check the goal: it needs a short title."
PROGRESS_FORM_INVALID = "Progress is a whole number from 0 to 100."
MILESTONE_FORM_INVALID = "Give the milestone a title."
ACTION_ITEM_FORM_INVALID = "Describe the action item and choose its owner."
NOTES_FORM_INVALID = "The notes were not saved."
AGREEMENT_UNCHANGED = (
    "Nothing changed: this is version {number} as it stands, so no new version was made. "
    "Change something to propose one, or sign this one if it reads right."
)
PROGRESS_UNCHANGED = (
    "Nothing changed: the goal already has that state and progress. Change one, "
    "or add a note, to record an update."
)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def friendly_errors(view):
    """Domain errors become a page that says what went wrong (404s stay 404s)."""
    view = not_found_as_404(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            if request.method == "POST" and not _is_htmx(request):
                messages.error(
                    request,
                    " ".join(
                        [error.message, *[m for m in error.fields.values() if m != error.message]]
                    ),
                )
                return redirect(_safe_next(request, reverse("mentorship_list")))
            return render(request, "mentorships/error.html", {"error": error}, status=error.status)

    return wrapper


def _safe_next(request, fallback: str) -> str:
    """A same-site URL to go back to (never an open redirect)."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


# Requests -------------------------------------------------------------------------------


@login_required
def request_inbox(request):
    box = request.GET.get("box", "received")
    if box == "sent":
        qs = selectors.request_list_sent(user=request.user)
    else:
        box, qs = "received", selectors.request_list_received(user=request.user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorships/request_inbox.html",
        {
            "box": box,
            "page_obj": page_obj,
            "query_string": f"box={box}",
            "pending_received": selectors.request_list_received(
                user=request.user, pending_only=True
            ).count(),
        },
    )


@login_required
@friendly_errors
def request_new(request):
    programs = list(selectors.request_programs_for(user=request.user))
    source = request.POST if request.method == "POST" else request.GET
    program = next(
        (p for p in programs if str(p.pk) == source.get("program")),
        programs[0] if programs else None,
    )
    recipients = (
        selectors.request_recipients_for(user=request.user, program=program) if program else []
    )
    form = RequestForm(
        request.POST or None,
        programs=programs,
        recipients=recipients,
        initial={"program": program.pk if program else None, "recipient": request.GET.get("to")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(
                sender=request.user,
                program_id=form.cleaned_data["program"],
                recipient_id=form.cleaned_data["recipient"],
                message=form.cleaned_data["message"],
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, "Request sent. We'll let you know when they answer.")
            return redirect(f"{reverse('request_inbox')}?box=sent")
    return render(
        request,
        "mentorships/request_new.html",
        {"form": form, "program": program, "programs": programs},
    )


@login_required
@require_POST
@friendly_errors
def request_accept(request, request_id: int):
    mentorship = services.request_accept(user=request.user, request_id=request_id)
    messages.success(request, "Accepted. Next: agree how you'll work together, then both sign.")
    return redirect("mentorship_detail", mentorship.pk)


@login_required
@friendly_errors
def request_decline(request, request_id: int):
    found = selectors.access_request(user=request.user, request_id=request_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_decline(
            user=request.user, request_id=request_id, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Declined. We let them know kindly.")
        return redirect("request_inbox")
    return render(
        request, "mentorships/request_decline.html", {"form": form, "mentorship_request": found}
    )


@login_required
@require_POST
@friendly_errors
def request_withdraw(request, request_id: int):
    services.request_withdraw(user=request.user, request_id=request_id)
    messages.success(request, "Request withdrawn.")
    return redirect(f"{reverse('request_inbox')}?box=sent")


# Mentorships ----------------------------------------------------------------------------


@login_required
def mentorship_list(request):
    qs = selectors.mentorship_list_for(user=request.user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
@friendly_errors
def program_mentorships(request, program_id: int):
    qs = selectors.mentorship_list_for_program_admin(user=request.user, program_id=program_id)
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorships/program_mentorships.html",
        {
            "page_obj": page_obj,
            "program": page_obj.object_list[0].program if page_obj.object_list else None,
        },
    )


@login_required
@friendly_errors
def mentorship_detail(request, mentorship_id: int):
    mentorship, viewer = selectors.access_mentorship_overview(
        user=request.user, mentorship_id=mentorship_id
    )
    context = {
        "mentorship": mentorship,
        "viewer": viewer,
        "can_see_end_reason": viewer.is_admin or mentorship.ended_by_id == request.user.pk,
    }
    if not viewer.can_read_content:
        # Program admins: status, dates and counts; the pair's content stays theirs.
        context["overview"] = selectors.mentorship_overview(mentorship=mentorship)
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


@login_required
@friendly_errors
def agreement_edit(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    versions = selectors.agreement_versions(mentorship=mentorship)
    latest = versions[0] if versions else None
    form = AgreementForm(
        request.POST or None,
        initial=AgreementForm.initial_from(latest.content) if latest else None,
        objectives=len(latest.content.get("objectives") or []) if latest else 0,
    )
    if request.method == "POST" and form.is_valid():
        try:
            version, created = services.agreement_propose(
                user=request.user, mentorship_id=mentorship_id, content=form.content()
            )
        except ApplicationError as error:
            form.add_service_errors(error.fields)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            if not created:
                messages.info(request, AGREEMENT_UNCHANGED.format(number=version.number))
                return redirect("agreement_version", mentorship.pk, version.number)
            messages.success(
                request,
                f"Saved as version {version.number}. Sign it when it "
                "reads right; it takes effect when you both have.",
            )
            return redirect("agreement_version", mentorship.pk, version.number)
    return render(
        request,
        "mentorships/agreement_edit.html",
        {"mentorship": mentorship, "form": form, "latest": latest, "examples": EXAMPLES},
    )


@login_required
@friendly_errors
def agreement_version(request, mentorship_id: int, number: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    viewer = selectors.Viewer(is_participant=True, is_admin=False)
    versions = selectors.agreement_versions(mentorship=mentorship)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404("No such version.")
    signed_by_me = (
        version.signed_by_mentor_at
        if request.user.pk == mentorship.mentor_id
        else version.signed_by_mentee_at
    )
    return render(
        request,
        "mentorships/agreement_version.html",
        {
            "mentorship": mentorship,
            "viewer": viewer,
            "version": version,
            "versions": versions,
            "is_latest": version.number == versions[0].number,
            "in_effect": selectors.agreement_in_effect(versions),
            "signed_by_me": signed_by_me,
        },
    )


@login_required
@require_POST
@friendly_errors
def agreement_sign(request, mentorship_id: int, number: int):
    version = services.agreement_sign(user=request.user, mentorship_id=mentorship_id, number=number)
    if version.fully_signed:
        messages.success(request, f"Signed. Version {number} is now in effect.")
    else:
        messages.success(
            request, f"Signed version {number}. It takes effect when your partner signs too."
        )
    return redirect("mentorship_detail", mentorship_id)


@login_required
@require_POST
@friendly_errors
def midpoint_confirm(request, mentorship_id: int):
    services.mentorship_confirm_midpoint(user=request.user, mentorship_id=mentorship_id)
    messages.success(request, "Thanks: the agreement stays as it is.")
    return redirect("mentorship_detail", mentorship_id)


@login_required
@require_POST
@friendly_errors
def goal_add(request, mentorship_id: int):
    form = GoalForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(GOAL_FORM_INVALID, fields=form_error_fields(form))
    services.goal_create(user=request.user, mentorship_id=mentorship_id, **form.cleaned_data)
    messages.success(request, "Goal added.")
    return redirect(reverse("mentorship_detail", args=[mentorship_id]) + "#goals")


@login_required
@require_POST
@friendly_errors
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
@friendly_errors
def milestone_add(request, goal_id: int):
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(MILESTONE_FORM_INVALID, fields=form_error_fields(form))
    milestone = services.milestone_add(user=request.user, goal_id=goal_id, **form.cleaned_data)
    return redirect(reverse("mentorship_detail", args=[milestone.goal.mentorship_id]) + "#goals")


@login_required
@require_POST
@friendly_errors
def milestone_toggle(request, milestone_id: int):
    milestone = services.milestone_toggle(user=request.user, milestone_id=milestone_id)
    return redirect(reverse("mentorship_detail", args=[milestone.goal.mentorship_id]) + "#goals")


@login_required
@require_POST
@friendly_errors
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
        _safe_next(request, reverse("mentorship_detail", args=[mentorship_id]) + "#action-items")
        if request.POST.get("next")
        else reverse("mentorship_detail", args=[mentorship_id]) + "#action-items"
    )


@login_required
@require_POST
@friendly_errors
def action_item_toggle(request, action_item_id: int):
    item = services.action_item_toggle(user=request.user, action_item_id=action_item_id)
    if _is_htmx(request):
        return render(
            request,
            "mentorships/_action_item.html",
            {"item": item, "can_write": True, "today": timezone.localdate()},
        )
    return redirect(reverse("mentorship_detail", args=[item.mentorship_id]) + "#action-items")


@login_required
@friendly_errors
def mentorship_end(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_end_early(
                user=request.user, mentorship_id=mentorship_id, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request, "The mentorship has ended. Thank you for the time you gave it."
            )
            return redirect("mentorship_detail", mentorship_id)
    return render(
        request, "mentorships/mentorship_end.html", {"mentorship": mentorship, "form": form}
    )


@login_required
@friendly_errors
def mentorship_complete(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_complete(
                user=request.user,
                mentorship_id=mentorship_id,
                reflection=form.cleaned_data["reflection"],
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, "Completed. Well done, both of you.")
            return redirect("mentorship_detail", mentorship_id)
    return render(
        request, "mentorships/mentorship_complete.html", {"mentorship": mentorship, "form": form}
    )


# Meetings -------------------------------------------------------------------------------


@login_required
@friendly_errors
def meeting_new(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    versions = selectors.agreement_versions(mentorship=mentorship)
    agreed = selectors.agreement_in_effect(versions) or (versions[0] if versions else None)
    content = agreed.content if agreed else {}
    duration = int(content.get("meeting_minutes") or 45)
    suggestions = selectors.meeting_suggestions_for(
        mentorship=mentorship, duration_minutes=duration
    )
    initial = {
        "duration_minutes": duration,
        "format": content.get("meeting_format", "video"),
        "repeat": content.get("cadence", ""),
    }
    if request.GET.get("at"):
        try:
            chosen = timezone.localtime(datetime.fromisoformat(request.GET["at"]))
        except (ValueError, OverflowError):
            pass  # a hand-edited link: the form simply starts empty
        else:
            if date_in_range(chosen):
                initial.update(date=chosen.date(), time=chosen.time().replace(second=0))
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = form.starts_at()
        try:
            meeting = services.meeting_schedule(
                user=request.user,
                mentorship_id=mentorship_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=data["duration_minutes"]),
                format=data["format"],
                video_url=data["video_url"],
                location=data["location"],
                repeat=data["repeat"],
                count=data["count"],
            )
        except ApplicationError as error:
            if "starts_at" in error.fields:
                error.fields["date"] = error.fields.pop("starts_at")
            if "ends_at" in error.fields:
                error.fields["duration_minutes"] = error.fields.pop("ends_at")
            if "until" in error.fields:
                error.fields["count"] = error.fields.pop("until")
            form_add_error(form, error)
        else:
            messages.success(request, "Scheduled. Your partner has been told.")
            return redirect("meeting_detail", meeting.pk)
    return render(
        request,
        "mentorships/meeting_new.html",
        {
            "mentorship": mentorship,
            "form": form,
            "suggestions": suggestions,
            "other": mentorship.other(request.user),
            "other_zone": zone_of(mentorship.other(request.user)),
            "my_zone": timezone.get_current_timezone(),
        },
    )


@login_required
@friendly_errors
def meeting_detail(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    mentorship = meeting.mentorship
    note = selectors.private_note_for(user=request.user, meeting=meeting)
    context = {
        "meeting": meeting,
        "mentorship": mentorship,
        "viewer": selectors.Viewer(is_participant=True, is_admin=False),
        "agenda": list(meeting.agenda_items.select_related("author")),
        "action_items": list(meeting.action_items.select_related("owner")),
        "today": timezone.localdate(),
        "is_future": meeting.starts_at > timezone.now(),
        "agenda_form": AgendaForm(),
        "notes_form": NotesForm(initial={"shared_notes": meeting.shared_notes}),
        "private_form": PrivateNoteForm(initial={"body": note.body if note else ""}),
        "action_form": ActionItemForm(
            mentorship=mentorship,
            meetings=[meeting],
            fixed_meeting=True,
            initial={"owner": mentorship.mentee_id, "meeting": meeting.pk},
        ),
        "other_zone": zone_of(mentorship.other(request.user)),
    }
    return render(request, "mentorships/meeting_detail.html", context)


@login_required
@require_POST
@friendly_errors
def agenda_add(request, meeting_id: int):
    form = AgendaForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Write something first.", fields={"text": "Write something first."})
    item = services.agenda_item_add(
        user=request.user, meeting_id=meeting_id, text=form.cleaned_data["text"]
    )
    if _is_htmx(request):
        return render(request, "mentorships/_agenda_item.html", {"item": item})
    return redirect(reverse("meeting_detail", args=[meeting_id]) + "#agenda")


@login_required
@require_POST
@friendly_errors
def meeting_notes(request, meeting_id: int):
    form = NotesForm(request.POST)
    if not form.is_valid():  # never save "" in place of notes that were too long
        raise ApplicationError(NOTES_FORM_INVALID, fields=form_error_fields(form))
    services.meeting_notes_update(
        user=request.user, meeting_id=meeting_id, shared_notes=form.cleaned_data["shared_notes"]
    )
    messages.success(request, "Shared notes saved.")
    return redirect(reverse("meeting_detail", args=[meeting_id]) + "#notes")


@login_required
@require_POST
@friendly_errors
def meeting_private_note(request, meeting_id: int):
    form = PrivateNoteForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(NOTES_FORM_INVALID, fields=form_error_fields(form))
    services.private_note_save(
        user=request.user, meeting_id=meeting_id, body=form.cleaned_data["body"]
    )
    messages.success(request, "Private note saved. Only you can see it.")
    return redirect(reverse("meeting_detail", args=[meeting_id]) + "#private-note")


@login_required
@require_POST
@friendly_errors
def meeting_cancel(request, meeting_id: int):
    meeting = services.meeting_cancel(user=request.user, meeting_id=meeting_id)
    messages.success(request, "Meeting cancelled; your partner has been told.")
    return redirect("mentorship_detail", meeting.mentorship_id)


@login_required
@require_POST
@friendly_errors
def meeting_series_cancel(request, meeting_id: int):
    series = services.meeting_series_cancel(user=request.user, meeting_id=meeting_id)
    messages.success(request, "The rest of the series is cancelled; your partner has been told.")
    return redirect("mentorship_detail", series.mentorship_id)


@login_required
@friendly_errors
def meeting_reschedule(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    local = timezone.localtime(meeting.starts_at)
    form = RescheduleForm(
        request.POST or None,
        initial={
            "date": local.date(),
            "time": local.time(),
            "duration_minutes": meeting.duration_minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        starts_at = form.starts_at()
        try:
            services.meeting_reschedule(
                user=request.user,
                meeting_id=meeting_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=form.cleaned_data["duration_minutes"]),
            )
        except ApplicationError as error:
            if "starts_at" in error.fields:
                error.fields["date"] = error.fields.pop("starts_at")
            if "ends_at" in error.fields:
                error.fields["duration_minutes"] = error.fields.pop("ends_at")
            form_add_error(form, error)
        else:
            messages.success(request, "Meeting moved; your partner has been told.")
            return redirect("meeting_detail", meeting_id)
    return render(
        request, "mentorships/meeting_reschedule.html", {"meeting": meeting, "form": form}
    )


@login_required
@friendly_errors
def meeting_ics(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    response = HttpResponse(ics.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    name = (
        f"tandem-series-{meeting.series_id}"
        if meeting.series_id and not meeting.is_moved_occurrence
        else f"tandem-meeting-{meeting.pk}"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


# Calendar feed --------------------------------------------------------------------------


@login_required
def calendar_settings(request):
    feed = services.calendar_feed_ensure(user=request.user)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    return render(
        request,
        "mentorships/calendar.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@login_required
@require_POST
def calendar_regenerate(request):
    services.calendar_feed_regenerate(user=request.user)
    messages.success(
        request,
        "New calendar link created. The old link no longer works: update your calendar app.",
    )
    return redirect("calendar_settings")


def calendar_feed(request, token: str):
    user = selectors.calendar_feed_user(token=token)
    if user is None:
        raise Http404("No such calendar.")
    series, meetings = selectors.calendar_meetings_for(user=user)
    response = HttpResponse(
        ics.feed_ics(series=series, meetings=meetings), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
