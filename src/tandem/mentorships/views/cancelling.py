"""Cancelling one meeting or the rest of its series: each asks first (live review: one click
on the meeting page called off a meeting, or five, for both people), then tells the partner."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import reverse

from tandem.core.web import confirm_page, confirmed, require_form_methods
from tandem.mentorships import selectors, services
from tandem.mentorships.services.meetings import check_meeting_changeable
from tandem.mentorships.views.common import back_to_mentorship, mentorship_errors

KEPT_AND_FINAL = (
    "Its agenda and notes are kept. It cannot be undone: schedule a new meeting to meet again."
)


@login_required
@require_form_methods
@mentorship_errors
def meeting_cancel(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    if not confirmed(request):
        # What cannot be cancelled (past, cancelled, ended) is refused without asking.
        check_meeting_changeable(meeting)
        partner = meeting.mentorship.other(request.user).display_name
        return confirm_page(
            request,
            title="Cancel this meeting?",
            consequences=[
                f"The meeting is off for both of you, and drops out of calendars subscribed "
                f"to your feeds. {partner} is told, by a notice and in the mentorship's history.",
                *(
                    ["Only this meeting: the other meetings of its series stay."]
                    if meeting.series_id
                    else []
                ),
                KEPT_AND_FINAL,
            ],
            button="Cancel this meeting",
            back=reverse("meeting_detail", args=[meeting.pk]),
            keep="Keep the meeting",
        )
    meeting = services.meeting_cancel(user=request.user, meeting_id=meeting_id)
    return back_to_mentorship(
        request, meeting.mentorship_id, "Meeting cancelled; your partner has been told."
    )


@login_required
@require_form_methods
@mentorship_errors
def meeting_series_cancel(request, meeting_id: int):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    # Not in a series or already cancelled: the service says why not, without asking first.
    if meeting.series and not meeting.series.cancelled_at and not confirmed(request):
        return confirm_page(
            request,
            title="Cancel the rest of this meeting series?",
            consequences=[
                "Every meeting of this series still to come is cancelled, and drops out of "
                "calendars subscribed to your feeds.",
                "Your mentorship partner is told, by a notice and in the mentorship's history.",
                "Meetings already held, with their agendas and notes, are kept.",
                "It cannot be undone: schedule new meetings to meet again.",
            ],
            button="Cancel the rest of the series",
            back=reverse("meeting_detail", args=[meeting.pk]),
            keep="Keep the series",
        )
    series = services.meeting_series_cancel(user=request.user, meeting_id=meeting_id)
    return back_to_mentorship(
        request,
        series.mentorship_id,
        "The rest of the series is cancelled; your partner has been told.",
    )
