from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tandem.feedback"
    label = "feedback"

    def ready(self) -> None:
        from tandem.feedback.services import checkin_schedule, health
        from tandem.feedback.views.checkins import checkin_panel
        from tandem.feedback.views.guidance import guidance_panel
        from tandem.feedback.views.health import health_panel
        from tandem.mentorships.panels import register_panel
        from tandem.notify import periodic

        periodic.register("feedback.health_daily", health.health_sweep_daily)
        periodic.register("feedback.health_recent", health.health_sweep_recent)
        register_panel("health", health_panel, order=20)
        periodic.register("feedback.checkins_due", checkin_schedule.checkins_create_due)
        periodic.register("feedback.checkins_remind", checkin_schedule.checkin_reminders_send)
        register_panel("checkins", checkin_panel, order=10)
        register_panel("guidance", guidance_panel, order=80)
