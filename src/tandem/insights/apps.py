from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tandem.insights"
    label = "insights"

    def ready(self) -> None:
        from tandem.insights.refresh import insights_refresh
        from tandem.notify import periodic

        periodic.register("insights.refresh", insights_refresh)
