"""Live seat maps as server-sent events: `GET /v1/shows/{id}/seat-events`.

One watcher per show and per API process reads the show's seat states (the booking service's
seat map, rebuilt only when a state changed) every `POLL_SECONDS` while anyone watches, and fans
the changed seats out to every open stream of that process. A hundred people looking at one
show cost one read per interval, not a hundred; every API host serves any watcher, since each
reads the primary's seat states itself. The first event is the whole map's states (a client
that reconnects catches up); after that only seats whose status changed are sent.

Events: `snapshot` ({"seats": {id: status}, "available": n}), `seats` (the same with only the
changed seats), and a comment every `KEEPALIVE_SECONDS` so proxies keep the stream open.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.context import ApiContext, get_ctx
from api.problems import not_found
from booking.errors import UnknownShow

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
QUEUE_LIMIT = 64  # a watcher this far behind gets a fresh snapshot instead

router = APIRouter(prefix="/v1", tags=["catalog"])


@dataclass
class ShowWatch:
    show_id: str
    ctx: ApiContext
    subscribers: set[asyncio.Queue] = field(default_factory=set)
    states: dict[str, str] = field(default_factory=dict)
    task: asyncio.Task | None = None

    async def read(self) -> dict[str, str]:
        view = await run_in_threadpool(self.ctx.booking.seat_map, self.show_id)
        return {s.seat_id: s.status.value for s in view.seats}

    async def run(self) -> None:
        try:
            while self.subscribers:
                await asyncio.sleep(POLL_SECONDS)
                try:
                    fresh = await self.read()
                except Exception:  # noqa: BLE001 - a failed read is retried at the next tick
                    log.exception("seat events: reading show %s failed", self.show_id)
                    continue
                changed = {k: v for k, v in fresh.items() if self.states.get(k) != v}
                self.states = fresh
                if changed:
                    self.publish("seats", changed)
        finally:
            _watches.pop(self.show_id, None)

    def publish(self, kind: str, seats: dict[str, str]) -> None:
        available = sum(1 for v in self.states.values() if v == "available")
        message = _event(kind, {"seats": seats, "available": available})
        for queue in list(self.subscribers):
            if queue.qsize() >= QUEUE_LIMIT:
                # Too far behind: drop what it has not read, start it again from the whole map.
                while not queue.empty():
                    queue.get_nowait()
                message_for = _event("snapshot", {"seats": self.states, "available": available})
                queue.put_nowait(message_for)
            else:
                queue.put_nowait(message)


_watches: dict[str, ShowWatch] = {}


def _event(kind: str, data: dict) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _subscribe(ctx: ApiContext, show_id: str) -> tuple[ShowWatch, asyncio.Queue]:
    watch = _watches.get(show_id)
    if watch is None or watch.ctx is not ctx:
        watch = ShowWatch(show_id, ctx)
        watch.states = await watch.read()
        _watches[show_id] = watch
    queue: asyncio.Queue = asyncio.Queue()
    watch.subscribers.add(queue)
    available = sum(1 for v in watch.states.values() if v == "available")
    queue.put_nowait(_event("snapshot", {"seats": watch.states, "available": available}))
    if watch.task is None or watch.task.done():
        watch.task = asyncio.create_task(watch.run())
    return watch, queue


async def _stream(request: Request, watch: ShowWatch, queue: asyncio.Queue) -> AsyncIterator[bytes]:
    try:
        yield b"retry: 2000\n\n"
        while True:
            try:
                yield await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                if await request.is_disconnected():
                    break
                yield b": keep-alive\n\n"
    finally:
        watch.subscribers.discard(queue)


@router.get(
    "/shows/{show_id}/seat-events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Seat changes"}},
    summary="Live seat changes (server-sent events): a snapshot, then only the seats that changed",
)
async def seat_events(
    request: Request, show_id: str = Path(max_length=64), ctx: ApiContext = Depends(get_ctx)
) -> StreamingResponse:
    try:
        watch, queue = await _subscribe(ctx, show_id)
    except UnknownShow:
        raise not_found("show", show_id) from None
    return StreamingResponse(
        _stream(request, watch, queue),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
