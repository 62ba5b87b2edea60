from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"

    def ready(self) -> None:
        from tandem.core.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="tandem_sqlite_lower")
