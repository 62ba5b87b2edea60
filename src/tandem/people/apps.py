from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tandem.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from tandem.notify import periodic
        from tandem.people.tasks import refresh_availability_daily

        periodic.register("people.refresh_availability", refresh_availability_daily)
