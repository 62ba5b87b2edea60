from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "tandem.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from tandem.notify import periodic
        from tandem.people.services.closing import (
            register_account_delete_check,
            register_account_eraser,
        )
        from tandem.programs.imports import emails, services
        from tandem.programs.services.erasure import (
            last_admin_blockers,
            programs_erase_for_closed_account,
        )

        periodic.register("programs.import_purge", lambda now: services.import_batch_purge(now=now))
        periodic.register(
            "programs.invitations_send_due",
            lambda now: emails.invitation_emails_send_due(now=now),
        )
        register_account_eraser(programs_erase_for_closed_account, wants_former=True)
        register_account_delete_check(last_admin_blockers)
