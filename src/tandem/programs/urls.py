from django.urls import path

from tandem.programs import views

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("new/", views.program_create, name="program_create"),
    path("join/<str:token>/", views.program_join, name="program_join"),
    path("invited/<str:token>/", views.participant_invitation, name="participant_invitation"),
    path("<slug:slug>/", views.program_detail, name="program_detail"),
    path("<slug:slug>/edit/", views.program_edit, name="program_edit"),
    path("<slug:slug>/participants/", views.program_participants, name="program_participants"),
    path(
        "<slug:slug>/participants/<int:enrolment_id>/<str:action>/",
        views.participant_action,
        name="program_participant_action",
    ),
    path("<slug:slug>/invitations/", views.program_invitations, name="program_invitations"),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="program_invitation_revoke",
    ),
    path("<slug:slug>/import/", views.program_import, name="program_import"),
    path(
        "<slug:slug>/import/<int:batch_id>/",
        views.program_import_preview,
        name="program_import_preview",
    ),
    path(
        "<slug:slug>/import/<int:batch_id>/status/",
        views.program_import_status,
        name="program_import_status",
    ),
    path("<slug:slug>/export/", views.program_export, name="program_export"),
]
