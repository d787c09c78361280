"""Admission control for HTTP under a herd (docs/performance.md, "the exam-start herd").

Under ASGI every concurrent sync request runs in a thread of its own and takes a pooled database
connection. When a whole exam hall starts at once, hundreds of requests per process fight for the
GIL and for DB_POOL_MAX connections, and the ones that wait longer than DB_POOL_TIMEOUT fail with
HTTP 500: the herd collapses instead of queueing. This middleware lets at most
settings.HTTP_CONCURRENCY HTTP requests of a process into Django at once; the rest wait, cheaply,
as coroutines in the event loop, in arrival order. WebSockets are not limited (the answer path
does not use Django's pool).
"""

import asyncio


class ConcurrencyLimit:
    def __init__(self, app, limit: int):
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self.app = app
        self.limit = limit
        self._semaphores: dict[int, asyncio.Semaphore] = {}  # one per event loop (tests run several)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(id(loop))
        if semaphore is None:
            semaphore = self._semaphores[id(loop)] = asyncio.Semaphore(self.limit)
        return semaphore

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        async with self._semaphore():
            return await self.app(scope, receive, send)
