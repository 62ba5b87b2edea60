"""Websocket routes, gathered from the apps that push events."""

from tandem.web.consumers import NotificationConsumer
from django.urls import path

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
