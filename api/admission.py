"""Admission control: at most N requests of one process inside the application at once; the
rest wait in the event loop (cheap) instead of in worker threads.

Why: sync endpoints and sync `yield` dependencies (a database connection per request) run in
the thread pool, and a dependency holds its connection while the request waits for a thread to
run the endpoint. Under a burst (a flash sale), every thread can end up blocked waiting for a
pooled connection while every connection is held by a request waiting for a thread: nothing
moves until the pool's 30 s timeout. Admitting no more requests than the pool can serve (a
request takes at most two connections: its dependency's and its booking unit of work's) makes
that impossible, and queued requests cost nothing but memory. The slots are split in two lanes
(see PRIORITY_PREFIXES); together they never exceed what the pool can serve.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

# Requests of customers who already hold seats (paying, finishing 3-D Secure) and payment
# webhooks that fulfil bookings: they get slots of their own, so a crowd still trying to get
# seats never makes the people who got some wait to pay.
PRIORITY_PREFIXES = ("/v1/checkout", "/v1/payments/", "/v1/webhooks/")


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = max(2, limit)
        self.priority_limit = max(1, self.limit // 3)
        self._gates: tuple[asyncio.Semaphore, asyncio.Semaphore] | None = None  # server's loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._gates is None:
            self._gates = (asyncio.Semaphore(self.limit - self.priority_limit),
                           asyncio.Semaphore(self.priority_limit))
        urgent = scope.get("method") == "POST" and \
            scope.get("path", "").startswith(PRIORITY_PREFIXES)
        async with self._gates[1 if urgent else 0]:
            await self.app(scope, receive, send)


def limit_for(engine: Engine) -> int:
    """Requests to admit for `engine`'s pool: two connections each, two kept for the in-process
    outbox worker that shares the pool."""
    pool = engine.pool
    size = pool.size() if hasattr(pool, "size") else 5
    capacity = size + max(0, getattr(pool, "_max_overflow", 0))
    return max(2, (capacity - 2) // 2)
