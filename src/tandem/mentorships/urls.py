from django.urls import path

from tandem.mentorships import views

urlpatterns = [
    path("", views.mentorship_list, name="mentorship_list"),
    path("requests/", views.request_inbox, name="request_inbox"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:request_id>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("program/<int:program_id>/", views.program_mentorships, name="program_mentorships"),
    path("<int:mentorship_id>/", views.mentorship_detail, name="mentorship_detail"),
    path("<int:mentorship_id>/agreement/", views.agreement_edit, name="agreement_edit"),
    path(
        "<int:mentorship_id>/agreement/v<int:number>/",
        views.agreement_version,
        name="agreement_version",
    ),
    path(
        "<int:mentorship_id>/agreement/v<int:number>/sign/",
        views.agreement_sign,
        name="agreement_sign",
    ),
    path("<int:mentorship_id>/midpoint/confirm/", views.midpoint_confirm, name="midpoint_confirm"),
    path("<int:mentorship_id>/goals/add/", views.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/progress/", views.goal_progress, name="goal_progress"),
    path("goals/<int:goal_id>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<int:milestone_id>/toggle/", views.milestone_toggle, name="milestone_toggle"),
    path("<int:mentorship_id>/action-items/add/", views.action_item_add, name="action_item_add"),
    path(
        "action-items/<int:action_item_id>/toggle/",
        views.action_item_toggle,
        name="action_item_toggle",
    ),
    path("<int:mentorship_id>/end/", views.mentorship_end, name="mentorship_end"),
    path("<int:mentorship_id>/complete/", views.mentorship_complete, name="mentorship_complete"),
    path("<int:mentorship_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/agenda/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:meeting_id>/notes/", views.meeting_notes, name="meeting_notes"),
    path(
        "meetings/<int:meeting_id>/private-note/",
        views.meeting_private_note,
        name="meeting_private_note",
    ),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(
        "meetings/<int:meeting_id>/cancel-series/",
        views.meeting_series_cancel,
        name="meeting_series_cancel",
    ),
    path(
        "meetings/<int:meeting_id>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"
    ),
    path("meetings/<int:meeting_id>/calendar.ics", views.meeting_ics, name="meeting_ics"),
]
