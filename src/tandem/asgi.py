"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from tandem.core.body_limit import limit_request_body  # noqa: E402
from tandem.core.concurrency import limit_concurrent_requests  # noqa: E402
from tandem.core.liveness import answer_health_checks  # noqa: E402
from tandem.core.socket_origin import same_origin_sockets  # noqa: E402
from tandem.core.startup import require_secret_key  # noqa: E402
from tandem.routing import websocket_urlpatterns  # noqa: E402

# Any ASGI server (uvicorn, daphne, ...) loads this module: refuse here, not on the first request.
require_secret_key()

application = ProtocolTypeRouter(
    {
        # /healthz first: a probe by IP, or while every request place is taken, is answered.
        "http": answer_health_checks(
            limit_request_body(
                limit_concurrent_requests(django_asgi_app), max_bytes=settings.MAX_REQUEST_BYTES
            )
        ),
        "websocket": AllowedHostsOriginValidator(
            same_origin_sockets(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
