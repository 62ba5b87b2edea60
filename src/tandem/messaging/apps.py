from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "tandem.messaging"
    label = "messaging"

    def ready(self) -> None:
        from tandem.mentorships.panels import register_panel
        from tandem.messaging import unread_emails
        from tandem.messaging.panels import conversation_panel
        from tandem.messaging.services import message_reports_erase_for_closed_account
        from tandem.notify import periodic
        from tandem.people.services.closing import register_account_eraser

        periodic.register("messaging.unread_emails", unread_emails.unread_emails_send)
        register_panel("messages", conversation_panel, order=30)
        register_account_eraser(message_reports_erase_for_closed_account)
