import os
import socket

from .realtime import AuthenticatedConsumer

# Which server process answered: the deploy smoke test checks that sockets reach every process.
SERVER_ID = f"{socket.gethostname()}:{os.getpid()}"


class PingConsumer(AuthenticatedConsumer):
    """ws/ping/: answers {"type": "ping"} with {"type": "pong", "server": "<host>:<pid>"}.

    Any logged-in user (staff: two-factor verified) may use it; health checks and the deploy smoke
    test use it to see that sockets, sessions and the channel layer work end to end.
    """

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "server": SERVER_ID})
