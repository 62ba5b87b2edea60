from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tandem.notify"
    label = "notify"

    def ready(self) -> None:
        from tandem.notify import periodic
        from tandem.notify.tasks import digests_run, finished_jobs_prune

        periodic.register("notify.send_digests", digests_run)
        periodic.register("notify.prune_finished_jobs", finished_jobs_prune)
