from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tandem.feedback"
    label = "feedback"

    def ready(self) -> None:
        from tandem.feedback.services import health
        from tandem.feedback.views.guidance import guidance_panel
        from tandem.feedback.views.health import health_panel
        from tandem.mentorships.panels import register_panel
        from tandem.notify import periodic

        periodic.register("feedback.health_daily", health.health_sweep_daily)
        periodic.register("feedback.health_recent", health.health_sweep_recent)
        register_panel("health", health_panel, order=20)
        register_panel("guidance", guidance_panel, order=80)
