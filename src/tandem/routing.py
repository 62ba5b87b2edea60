"""Websocket routes, gathered from the apps that push events."""

from django.urls import path, re_path

from tandem.web.consumers import NotificationConsumer, UnknownPathConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),  # last: any other path
]
