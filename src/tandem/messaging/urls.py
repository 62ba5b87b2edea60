from django.urls import path

from tandem.messaging import views

urlpatterns = [
    path("", views.conversation_list, name="conversation_list"),
    path("<int:conversation_id>/", views.conversation_detail, name="conversation_detail"),
    path(
        "<int:conversation_id>/earlier/",
        views.conversation_earlier,
        name="conversation_earlier",
    ),
    path("mentorship/<int:mentorship_id>/", views.mentorship_messages, name="mentorship_messages"),
    path("request/<int:request_id>/", views.request_messages, name="request_messages"),
    path("message/<int:message_id>/edit/", views.message_edit, name="message_edit"),
    path("message/<int:message_id>/delete/", views.message_delete, name="message_delete"),
    path("message/<int:message_id>/report/", views.message_report, name="message_report"),
    path("reports/<int:report_id>/", views.message_report_detail, name="message_report_detail"),
]
