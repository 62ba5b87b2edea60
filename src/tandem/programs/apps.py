from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "tandem.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from tandem.notify import periodic
        from tandem.programs.imports import emails, services

        periodic.register("programs.import_purge", lambda now: services.import_batch_purge(now=now))
        periodic.register(
            "programs.invitations_send_due",
            lambda now: emails.invitation_emails_send_due(now=now),
        )
