"""A per-person websocket that pushes live events (notifications, messages) to open pages."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = person_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def person_event(self, event):
        """Forward an event sent to the person's group (``type: person.event``)."""
        await self.send_json(event["payload"])
