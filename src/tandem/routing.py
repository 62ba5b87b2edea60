"""Websocket routes, gathered from the apps that push events."""

from django.urls import path

from tandem.web.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
