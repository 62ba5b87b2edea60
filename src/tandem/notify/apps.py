from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tandem.notify"
    label = "notify"

    def ready(self) -> None:
        from tandem.notify import periodic
        from tandem.notify.tasks import digests_run
        from tandem.people.tasks import refresh_availability_daily

        periodic.register("notify.send_digests", digests_run)
        periodic.register("people.refresh_availability", refresh_availability_daily)
