from django.urls import path

from tandem.programs.views import (
    admins,
    email_invitations,
    enrolments,
    imports,
    leaving,
    programs,
)

urlpatterns = [
    path("", programs.program_list, name="program_list"),
    path("new/", programs.program_create, name="program_create"),
    path("join/<str:token>/", enrolments.program_join, name="program_join"),
    path("invited/<str:token>/", imports.participant_invitation, name="participant_invitation"),
    path("<slug:slug>/", programs.program_detail, name="program_detail"),
    path("<slug:slug>/edit/", programs.program_edit, name="program_edit"),
    path("<slug:slug>/leave/", leaving.program_leave, name="program_leave"),
    path("<slug:slug>/participants/", enrolments.program_participants, name="program_participants"),
    path(
        "<slug:slug>/participants/bulk/",
        enrolments.participants_bulk,
        name="program_participants_bulk",
    ),
    path(
        "<slug:slug>/participants/<int:enrolment_id>/make-admin/",
        admins.participant_make_admin,
        name="program_participant_make_admin",
    ),
    path("<slug:slug>/admins/invite/", admins.program_admin_invite, name="program_admin_invite"),
    path(
        "<slug:slug>/admins/invitations/<int:invitation_id>/withdraw/",
        admins.program_admin_invitation_withdraw,
        name="program_admin_invitation_withdraw",
    ),
    path(
        "<slug:slug>/admins/invitations/<int:invitation_id>/resend/",
        admins.program_admin_invitation_resend,
        name="program_admin_invitation_resend",
    ),
    path(
        "<slug:slug>/participants/<int:enrolment_id>/<str:action>/",
        enrolments.participant_action,
        name="program_participant_action",
    ),
    path("<slug:slug>/invitations/", enrolments.program_invitations, name="program_invitations"),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/revoke/",
        enrolments.invitation_revoke,
        name="program_invitation_revoke",
    ),
    path(
        "<slug:slug>/invitations/email/",
        email_invitations.program_email_invitations,
        name="program_email_invitations",
    ),
    path(
        "<slug:slug>/invitations/email/send/",
        email_invitations.program_email_invitations_send,
        name="program_email_invitations_send",
    ),
    path(
        "<slug:slug>/invitations/email/<int:invitation_id>/cancel/",
        email_invitations.program_email_invitation_cancel,
        name="program_email_invitation_cancel",
    ),
    path(
        "<slug:slug>/invitations/email/<int:invitation_id>/resend/",
        email_invitations.program_email_invitation_resend,
        name="program_email_invitation_resend",
    ),
    path("<slug:slug>/import/", imports.program_import, name="program_import"),
    path(
        "<slug:slug>/import/<int:batch_id>/problem-rows/",
        imports.program_import_problem_rows,
        name="program_import_problem_rows",
    ),
    path(
        "<slug:slug>/import/<int:batch_id>/",
        imports.program_import_preview,
        name="program_import_preview",
    ),
    path(
        "<slug:slug>/import/<int:batch_id>/status/",
        imports.program_import_status,
        name="program_import_status",
    ),
    path("<slug:slug>/export/", imports.program_export, name="program_export"),
]
