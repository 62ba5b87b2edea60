from django.apps import AppConfig


class MatchRunsConfig(AppConfig):
    name = "tandem.programs.matchruns"
    label = "matchruns"
    verbose_name = "Match runs"
