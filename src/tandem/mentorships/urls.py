from django.urls import path

from tandem.mentorships.views import (
    action_items,
    agreement,
    cancelling,
    early_end,
    feed,
    goals,
    lifecycle,
    meetings,
    mentorships,
    pauses,
    problems,
    requests,
)

urlpatterns = [
    path("", mentorships.mentorship_list, name="mentorship_list"),
    path("requests/", requests.request_inbox, name="request_inbox"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/<int:request_id>/", requests.request_detail, name="request_detail"),
    path("requests/<int:request_id>/accept/", requests.request_accept, name="request_accept"),
    path("requests/<int:request_id>/decline/", requests.request_decline, name="request_decline"),
    path("requests/<int:request_id>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("calendar/", feed.calendar_settings, name="calendar_settings"),
    path("calendar/regenerate/", feed.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/feed/<str:token>.ics", feed.calendar_feed, name="calendar_feed"),
    path("program/<int:program_id>/", mentorships.program_mentorships, name="program_mentorships"),
    path(
        "program/<int:program_id>/problems/",
        problems.program_problem_reports,
        name="program_problem_reports",
    ),
    path(
        "<int:mentorship_id>/report-problem/",
        problems.problem_report_new,
        name="problem_report_new",
    ),
    path(
        "problems/<int:report_id>/resolve/",
        problems.problem_report_resolve,
        name="problem_report_resolve",
    ),
    path("<int:mentorship_id>/pauses/", pauses.mentorship_pauses, name="mentorship_pauses"),
    path("pauses/<int:pause_id>/end/", pauses.mentorship_pause_end, name="mentorship_pause_end"),
    path("<int:mentorship_id>/", mentorships.mentorship_detail, name="mentorship_detail"),
    path("<int:mentorship_id>/agreement/", agreement.agreement_edit, name="agreement_edit"),
    path(
        "<int:mentorship_id>/agreement/v<int:number>/",
        agreement.agreement_version,
        name="agreement_version",
    ),
    path(
        "<int:mentorship_id>/agreement/v<int:number>/sign/",
        agreement.agreement_sign,
        name="agreement_sign",
    ),
    path(
        "<int:mentorship_id>/midpoint/confirm/", lifecycle.midpoint_confirm, name="midpoint_confirm"
    ),
    path(
        "<int:mentorship_id>/how-did-it-go/",
        early_end.early_end_feedback,
        name="early_end_feedback",
    ),
    path("<int:mentorship_id>/goals/add/", goals.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/progress/", goals.goal_progress, name="goal_progress"),
    path("goals/<int:goal_id>/milestones/", goals.milestone_add, name="milestone_add"),
    path("milestones/<int:milestone_id>/toggle/", goals.milestone_toggle, name="milestone_toggle"),
    path(
        "<int:mentorship_id>/action-items/add/",
        action_items.action_item_add,
        name="action_item_add",
    ),
    path(
        "action-items/<int:action_item_id>/toggle/",
        action_items.action_item_toggle,
        name="action_item_toggle",
    ),
    path("<int:mentorship_id>/end/", lifecycle.mentorship_end, name="mentorship_end"),
    path(
        "<int:mentorship_id>/admin-end/",
        lifecycle.mentorship_admin_end,
        name="mentorship_admin_end",
    ),
    path(
        "<int:mentorship_id>/complete/", lifecycle.mentorship_complete, name="mentorship_complete"
    ),
    path("<int:mentorship_id>/meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/agenda/", meetings.agenda_add, name="agenda_add"),
    path("meetings/<int:meeting_id>/notes/", meetings.meeting_notes, name="meeting_notes"),
    path(
        "meetings/<int:meeting_id>/private-note/",
        meetings.meeting_private_note,
        name="meeting_private_note",
    ),
    path("meetings/<int:meeting_id>/cancel/", cancelling.meeting_cancel, name="meeting_cancel"),
    path(
        "meetings/<int:meeting_id>/did-not-take-place/",
        meetings.meeting_mark_missed,
        name="meeting_mark_missed",
    ),
    path(
        "meetings/<int:meeting_id>/took-place/",
        meetings.meeting_mark_held,
        name="meeting_mark_held",
    ),
    path(
        "meetings/<int:meeting_id>/cancel-series/",
        cancelling.meeting_series_cancel,
        name="meeting_series_cancel",
    ),
    path(
        "meetings/<int:meeting_id>/reschedule/",
        meetings.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("meetings/<int:meeting_id>/calendar.ics", meetings.meeting_ics, name="meeting_ics"),
]
