from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tandem.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from django.core import checks

        from tandem.notify import periodic
        from tandem.people.checks import text_embedder_check
        from tandem.people.services.closing import register_account_eraser
        from tandem.people.tasks import (
            password_reset_requests_erase,
            profile_vectors_fill_run,
            refresh_availability_daily,
        )

        periodic.register("people.refresh_availability", refresh_availability_daily)
        periodic.register("people.profile_vectors_fill", profile_vectors_fill_run)
        checks.register(text_embedder_check)
        register_account_eraser(password_reset_requests_erase, wants_former=True)
