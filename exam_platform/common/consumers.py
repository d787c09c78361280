from .realtime import AuthenticatedConsumer


class PingConsumer(AuthenticatedConsumer):
    """Answers {"type": "ping"} with {"type": "pong", ...}: used by health checks and the deploy
    smoke test to learn which server process answered."""

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            import os
            import socket

            await self.send_json({"type": "pong", "server": f"{socket.gethostname()}:{os.getpid()}"})
