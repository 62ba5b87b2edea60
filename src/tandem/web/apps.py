from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tandem.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from tandem.people.services.closing import register_account_eraser
        from tandem.web.consumers import close_sockets_of_deleted_account

        user_logged_out.connect(_close_sockets_on_logout, dispatch_uid="tandem.web.logout")
        register_account_eraser(close_sockets_of_deleted_account)


def _close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    """The sockets the ending session opened close (``logout()`` sends this before it flushes
    the session, so its key is still there)."""
    from tandem.web.consumers import close_session_sockets

    session = getattr(request, "session", None)
    close_session_sockets(session_key=getattr(session, "session_key", None))
