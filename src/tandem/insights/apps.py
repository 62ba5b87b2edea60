from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tandem.insights"
    label = "insights"

    def ready(self) -> None:
        from tandem.insights.refresh import insights_refresh
        from tandem.insights.selectors import equity_data
        from tandem.notify import periodic

        periodic.register("insights.refresh", insights_refresh)
        periodic.register("insights.equity_audit", equity_data.equity_refresh)
