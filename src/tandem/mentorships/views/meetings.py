"""Meetings: schedule, read, agenda, shared and private notes, reschedule, say whether it took
place, .ics (cancelling is in ``views.cancelling``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from tandem.core.dates import date_in_range
from tandem.core.exceptions import ApplicationError
from tandem.core.web import (
    confirm_page,
    confirmed,
    form_add_error,
    is_htmx,
    require_form_methods,
    safe_next,
)
from tandem.mentorships import calendar as ics
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import ActionItemForm
from tandem.mentorships.forms.meetings import (
    AgendaForm,
    MeetingForm,
    NotesForm,
    PrivateNoteForm,
    RescheduleForm,
)
from tandem.mentorships.models import Meeting, MeetingStatus
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.services.attendance import check_meeting_markable
from tandem.mentorships.services.lifecycle import check_open
from tandem.mentorships.services.meeting_notes import check_agenda_open
from tandem.mentorships.views.common import (
    SEE_THE_MARKED_FIELDS,
    mentorship_errors,
    say_which_of_two,
    submit_or_show_again,
)

AGENDA_FORM_INVALID = f"Nothing was added to the agenda: {SEE_THE_MARKED_FIELDS}"
NOTES_FORM_INVALID = "The notes were not saved."
SHARED_NOTES_SAVED = "Shared notes saved."
NOTES_UNCHANGED = "Nothing changed: the notes are as they were."
PRIVATE_NOTE_SAVED = "Private note saved. Only you can see it."
PRIVATE_NOTE_EMPTY = "Your private note on this meeting is empty, so none is kept."
MEETING_MOVED = "Meeting moved; your partner has been told."
MEETING_UNCHANGED = "Nothing changed: the meeting keeps its time and length."
MARKED_MISSED = "Marked as not taken place; your partner has been told. You can undo it."
ALREADY_MISSED = "This meeting is already marked as not taken place."
MARKED_HELD = "It counts as a meeting held again; your partner has been told."
ALREADY_HELD = "This meeting already counts as held."
# The service's times are the form's date and duration (and a series' end its count).
MEETING_FIELDS = {"starts_at": "date", "ends_at": "duration_minutes", "until": "count"}


@login_required
@mentorship_errors
@require_form_methods
def meeting_new(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    agreed = selectors.agreement_version_in_effect(
        mentorship=mentorship
    ) or selectors.agreement_version_latest(mentorship=mentorship)
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
            form_add_error(form, error, renames=MEETING_FIELDS)
        else:
            messages.success(request, "Scheduled. Your partner has been told.")
            say_which_of_two(request, starts_at)
            if meeting.series_id:
                for note in selectors.series_moved_by_clock_change(series_id=meeting.series_id):
                    messages.warning(request, note)
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
@mentorship_errors
@require_safe
def meeting_detail(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    return meeting_page(request, meeting)


def meeting_page(request, meeting: Meeting, **shown: Any) -> HttpResponse:
    """The meeting page; ``shown`` replaces parts of it (a form shown again)."""
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
        "notes_form": NotesForm.for_notes(meeting.shared_notes),
        "private_form": PrivateNoteForm(initial={"body": note.body if note else ""}),
        "action_form": ActionItemForm(
            mentorship=mentorship,
            meetings=[meeting],
            fixed_meeting=True,
            initial={"owner": mentorship.mentee_id, "meeting": meeting.pk},
        ),
        "other": mentorship.other(request.user),
        "other_zone": zone_of(mentorship.other(request.user)),
        "clock_change": selectors.meeting_moved_by_clock_change(meeting=meeting),
        **shown,
    }
    return render(request, "mentorships/meeting_detail.html", context)


@login_required
@require_POST
@mentorship_errors
def agenda_add(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)

    def save(data):
        item = services.agenda_item_add(user=request.user, meeting_id=meeting_id, text=data["text"])
        if is_htmx(request):
            return render(request, "mentorships/_agenda_item.html", {"item": item})
        return redirect(reverse("meeting_detail", args=[meeting_id]) + "#agenda")

    return submit_or_show_again(
        request,
        AgendaForm(request.POST),
        save,
        invalid=AGENDA_FORM_INVALID,
        page=lambda form: meeting_page(request, meeting, agenda_form=form),
        fragment=lambda form: render(
            request, "mentorships/_agenda_form.html", {"meeting": meeting, "agenda_form": form}
        ),
        check=lambda: check_agenda_open(meeting),
    )


@login_required
@require_POST
@mentorship_errors
def meeting_notes(request, meeting_id: int):
    return _save_notes(
        request,
        meeting_id,
        NotesForm(request.POST),
        services.meeting_notes_update,
        shown_as="notes_form",
        saved=lambda _meeting: SHARED_NOTES_SAVED,
        anchor="#notes",
        open_only=True,
    )


@login_required
@require_POST
@mentorship_errors
def meeting_private_note(request, meeting_id: int):
    return _save_notes(
        request,
        meeting_id,
        PrivateNoteForm(request.POST),
        services.private_note_save,
        shown_as="private_form",
        saved=lambda note: PRIVATE_NOTE_SAVED if note else PRIVATE_NOTE_EMPTY,
        anchor="#private-note",
    )


def _save_notes(
    request: HttpRequest,
    meeting_id: int,
    form: forms.Form,
    save: Callable[..., tuple[object, bool]],
    *,
    shown_as: str,
    saved: Callable[[object], str],
    anchor: str,
    open_only: bool = False,
) -> HttpResponse:
    """Save a notes form of the meeting page with the service of the same field names; an
    invalid one is shown again (as the page's ``shown_as``) with what was typed, never saved as
    "" in place of notes too long. ``saved`` words what the service stored, if it changed."""
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)

    def submit(data: Mapping[str, Any]) -> HttpResponse:
        try:
            stored, changed = save(user=request.user, meeting_id=meeting_id, **data)
        except services.NotesChangedMeanwhile as error:
            return _notes_changed_meanwhile(request, error)
        messages.success(request, saved(stored) if changed else NOTES_UNCHANGED)
        return redirect(reverse("meeting_detail", args=[meeting_id]) + anchor)

    return submit_or_show_again(
        request,
        form,
        submit,
        invalid=NOTES_FORM_INVALID,
        page=lambda form: meeting_page(request, meeting, **{shown_as: form}),
        check=(lambda: check_open(meeting.mentorship)) if open_only else None,
    )


def _notes_changed_meanwhile(request, error: services.NotesChangedMeanwhile) -> HttpResponse:
    """Both texts on one page: the notes as saved now, and theirs kept in the form (which now
    edits from the saved version, so saving again is a deliberate choice)."""
    now = error.meeting.shared_notes
    form = NotesForm.for_notes(now, request.POST)
    form.is_valid()
    form_add_error(form, error)
    response = meeting_page(request, error.meeting, notes_form=form, notes_now=now)
    response.status_code = error.status
    return response


@login_required
@require_form_methods
@mentorship_errors
def meeting_mark_missed(request, meeting_id: int):
    """Say the meeting did not take place, after a confirmation step (asked only when it may
    be marked; otherwise the refusal says why). Back to the page the button was on."""
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    back = safe_next(request, reverse("meeting_detail", args=[meeting.pk]) + "#attendance")
    if meeting.status == MeetingStatus.SCHEDULED and not confirmed(request):
        check_meeting_markable(meeting)
        return confirm_page(
            request,
            title="This meeting did not take place?",
            consequences=[
                "It no longer counts as a meeting held: not in your mentorship's health, "
                "nor in the program's figures. It counts like a cancellation, without "
                "saying whose.",
                f"{meeting.mentorship.other(request.user).display_name} is told, by a notice "
                "and in the mentorship's history; the program's admins see it only in the "
                "meeting counts.",
                "The agenda, notes and action items stay as they are.",
                'Either of you can undo it within 60 days of the meeting: "It did take place".',
            ],
            button="It did not take place",
            back=back,
            keep="It did take place; change nothing",
            carry={"next": [back]},
        )
    _, marked = services.meeting_mark_missed(actor=request.user, meeting=meeting)
    if marked:
        messages.success(request, MARKED_MISSED)
    else:  # the other side (or a second click) was first, perhaps while this one confirmed
        messages.info(request, ALREADY_MISSED)
    return redirect(back)


@login_required
@require_POST
@mentorship_errors
def meeting_mark_held(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    back = safe_next(request, reverse("meeting_detail", args=[meeting.pk]) + "#attendance")
    _, changed = services.meeting_mark_held(actor=request.user, meeting=meeting)
    if changed:
        messages.success(request, MARKED_HELD)
    else:  # never marked, or already undone (perhaps by the other side a moment ago)
        messages.info(request, ALREADY_HELD)
    return redirect(back)


@login_required
@mentorship_errors
@require_form_methods
def meeting_reschedule(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    form = RescheduleForm(request.POST or None, meeting=meeting)
    status = 200
    if request.method == "POST" and form.is_valid():
        starts_at = form.starts_at()
        try:
            _, moved = services.meeting_reschedule(
                user=request.user,
                meeting_id=meeting_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=form.cleaned_data["duration_minutes"]),
                seen=form.seen(),
            )
        except services.MovedMeanwhile as error:
            form = RescheduleForm(form.after_move(meeting), meeting=meeting)
            form.is_valid()
            form_add_error(form, error, renames=MEETING_FIELDS)
            status = error.status  # 409, as the API answers
        except ApplicationError as error:
            form_add_error(form, error, renames=MEETING_FIELDS)
        else:
            messages.success(request, MEETING_MOVED if moved else MEETING_UNCHANGED)
            if moved:
                say_which_of_two(request, starts_at)
            return redirect("meeting_detail", meeting_id)
    return render(
        request,
        "mentorships/meeting_reschedule.html",
        {"meeting": meeting, "form": form},
        status=status,
    )


@login_required
@mentorship_errors
@require_safe
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
