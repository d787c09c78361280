"""Shared base for every WebSocket consumer (filled in by the sockets work)."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()
