"""The pages of evaluate-and-adjust, under ``/feedback/``; each sub-domain adds its routes."""

from django.urls import URLPattern, path

from tandem.feedback.views import checkins, guidance, health

urlpatterns: list[URLPattern] = [
    path("guidance/", guidance.guidance_library_page, name="guidance_library"),
    path("guidance/new/", guidance.guidance_new, name="guidance_new"),
    path("guidance/<slug:slug>/", guidance.guidance_article_page, name="guidance_article"),
    path("guidance/<slug:slug>/edit/", guidance.guidance_edit, name="guidance_edit"),
    path("guidance/<slug:slug>/reset/", guidance.guidance_reset, name="guidance_reset"),
    path(
        "programs/<int:program_id>/health/", health.program_health, name="feedback_program_health"
    ),
    path(
        "mentorships/<int:mentorship_id>/health/checkin/",
        health.health_checkin_send,
        name="feedback_health_checkin",
    ),
    path(
        "mentorships/<int:mentorship_id>/health/note/",
        health.health_message_to_pair,
        name="feedback_health_message",
    ),
    path(
        "mentorships/<int:mentorship_id>/health/rematch/",
        health.health_rematch_propose,
        name="feedback_health_rematch",
    ),
    path("checkins/", checkins.checkin_list, name="checkin_list"),
    path("checkins/<int:checkin_id>/", checkins.checkin_answer, name="checkin_answer"),
    path("programs/<int:program_id>/checkins/", checkins.program_checkins, name="program_checkins"),
    path(
        "programs/<int:program_id>/checkins/<str:kind>/",
        checkins.checkin_template_edit,
        name="checkin_template_edit",
    ),
    path(
        "programs/<int:program_id>/checkins/<str:kind>/reset/",
        checkins.checkin_template_reset,
        name="checkin_template_reset",
    ),
]
