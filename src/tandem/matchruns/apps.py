from django.apps import AppConfig


class MatchRunsConfig(AppConfig):
    name = "tandem.matchruns"
    label = "matchruns"
    verbose_name = "Match runs"
