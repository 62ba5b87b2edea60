from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "tandem.messaging"
    label = "messaging"

    def ready(self) -> None:
        from tandem.messaging import services
        from tandem.notify import periodic

        periodic.register("messaging.unread_emails", services.unread_emails_send)
