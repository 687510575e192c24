"""Admission control: at most N requests of one process inside the application at once; the
rest wait in the event loop (cheap) instead of in worker threads.

Why: sync endpoints and sync `yield` dependencies (a database connection per request) run in
the thread pool, and a dependency holds its connection while the request waits for a thread to
run the endpoint. Under a burst (a flash sale), every thread can end up blocked waiting for a
pooled connection while every connection is held by a request waiting for a thread: nothing
moves until the pool's 30 s timeout. Admitting no more requests than the pool can serve (a
request takes at most two connections: its dependency's and its booking unit of work's) makes
that impossible, and queued requests cost nothing but memory. Waiting requests of customers who
are paying are admitted first (PRIORITY_PREFIXES).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

# Requests of customers who already hold seats (paying, finishing 3-D Secure) and payment
# webhooks that fulfil bookings go ahead of every other waiting request, so a crowd still trying
# to get seats never makes the people who got some wait to pay.
PRIORITY_PREFIXES = ("/v1/checkout", "/v1/payments/", "/v1/webhooks/")
STREAM_SUFFIXES = ("/seat-events",)


class PriorityGate:
    """A semaphore whose waiters are served urgent-first, then in arrival order."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._waiting: tuple[deque[asyncio.Future], deque[asyncio.Future]] = (deque(), deque())

    async def acquire(self, urgent: bool) -> None:
        urgent_queue, normal_queue = self._waiting
        if self.free > 0 and not urgent_queue and (urgent or not normal_queue):
            self.free -= 1
            return
        queue = urgent_queue if urgent else normal_queue
        granted = asyncio.get_running_loop().create_future()
        queue.append(granted)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release()  # handed a slot just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(granted)
            raise

    def release(self) -> None:
        for queue in self._waiting:
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the slot goes straight to the next in line
                    return
        self.free += 1


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = max(1, limit)
        self._gate: PriorityGate | None = None  # made in the server's own event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A server-sent event stream stays open for minutes and holds no connection meanwhile.
        if scope["type"] != "http" or scope.get("path", "").endswith(STREAM_SUFFIXES):
            await self.app(scope, receive, send)
            return
        if self._gate is None:
            self._gate = PriorityGate(self.limit)
        urgent = scope.get("method") == "POST" and scope.get("path", "").startswith(
            PRIORITY_PREFIXES
        )
        await self._gate.acquire(urgent)
        try:
            await self.app(scope, receive, send)
        finally:
            self._gate.release()


def limit_for(engine: Engine) -> int:
    """Requests to admit for `engine`'s pool: two connections each, two kept for the in-process
    outbox worker that shares the pool."""
    pool = engine.pool
    size = pool.size() if hasattr(pool, "size") else 5
    capacity = size + max(0, getattr(pool, "_max_overflow", 0))
    return max(2, (capacity - 2) // 2)
