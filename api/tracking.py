"""Feeds the analytics tracker from the public catalog: show page and seat-map views, and
searches (movie and show listings) with the time they took. A plain ASGI middleware that only
looks at the path and the response status: one append per tracked request, and now and then a
batch write after the response has gone out.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import anyio
from fastapi import FastAPI

from analytics.metrics import install_collector
from analytics.tracking import Tracker
from marquee.bootstrap import Hub

log = logging.getLogger(__name__)

SHOW = re.compile(r"^/v1/shows/([^/]+)$")
SEAT_MAP = re.compile(r"^/v1/shows/([^/]+)/seat-map$")
SEARCHES = {"/v1/movies", "/v1/shows"}
SEARCH_FILTERS = ("city", "language", "date", "genre", "format", "movie_id", "theatre_id")


class TrackingMiddleware:
    def __init__(self, app: Any, tracker: Tracker) -> None:
        self.app = app
        self.tracker = tracker

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        status = 0
        started = time.perf_counter()

        async def watch(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status != 200:
            return
        if path in SEARCHES:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            self.tracker.record(
                "search",
                path=path,
                city=(query.get("city") or [""])[0][:100],
                filters={k: v[0][:100] for k, v in query.items() if k in SEARCH_FILTERS},
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        elif _revalidation(scope):
            # The seat map page polls with If-None-Match every second: a poll is not a view.
            return
        elif match := SEAT_MAP.match(path):
            self.tracker.record("seat_map_view", show_id=match.group(1)[:64])
        elif match := SHOW.match(path):
            self.tracker.record("show_view", show_id=match.group(1)[:64])
        else:
            return
        if self.tracker.due():
            await anyio.to_thread.run_sync(self.tracker.try_flush)


def _revalidation(scope: dict) -> bool:
    return any(name == b"if-none-match" for name, _ in scope.get("headers", ()))


def install(app: FastAPI, hub: Hub) -> Tracker:
    """Track catalog activity into analytics (flushed at shutdown too) and expose today's
    business gauges on /metrics."""
    tracker = Tracker(hub.engine)
    app.state.analytics_tracker = tracker
    app.add_middleware(TrackingMiddleware, tracker=tracker)
    install_collector(hub.engine)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with inner(a) as state:
            try:
                yield state
            finally:
                try:
                    await anyio.to_thread.run_sync(tracker.flush)
                except Exception:  # noqa: BLE001 - shutting down regardless
                    log.exception("analytics tracker lost %d items", tracker.pending())

    app.router.lifespan_context = lifespan
    return tracker
