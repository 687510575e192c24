"""Live seat maps as server-sent events: `GET /v1/shows/{id}/seat-events`.

One watcher per show and per API process fans the changed seats out to every open stream of
that process: a hundred people looking at one show cost one reader, not a hundred. Without
Redis the watcher reads the show's seat states itself (the booking service's seat map, rebuilt
only when a state changed) every `POLL_SECONDS`. With `REDIS_URL`, one host per show holds a
short Redis lease and does the reading, and publishes the changes on the channel
`seat-events:<show id>`; every host's watcher forwards what the channel carries, so any API host
serves any watcher and the database sees one reader per show, whatever the number of hosts. The
first event of a stream is the whole map's states (a client that reconnects catches up); after
that only seats whose status changed are sent.

Events: `snapshot` ({"seats": {id: status}, "available": n}), `seats` (the same with only the
changed seats), and a comment every `KEEPALIVE_SECONDS` so proxies keep the stream open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.context import ApiContext, Ctx
from api.deps import PathId
from api.problems import not_found
from booking.errors import UnknownShow

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
QUEUE_LIMIT = 64  # a watcher this far behind gets a fresh snapshot instead
LEASE_MS = 3000  # the reading host's Redis lease; another host takes over when it lapses
HOST = secrets.token_hex(8)  # this process, as a lease holder

router = APIRouter(prefix="/v1", tags=["catalog"])


@dataclass
class ShowWatch:
    show_id: str
    ctx: ApiContext
    subscribers: set[asyncio.Queue] = field(default_factory=set)
    states: dict[str, str] = field(default_factory=dict)
    task: asyncio.Task | None = None
    host: str = HOST  # whose lease this watcher's reads are under

    async def read(self) -> dict[str, str]:
        view = await run_in_threadpool(self.ctx.booking.seat_map, self.show_id)
        return {s.seat_id: s.status.value for s in view.seats}

    async def tick(self) -> dict[str, str]:
        """Read the seat states; return (and remember) the seats whose status changed."""
        try:
            fresh = await self.read()
        except Exception:  # noqa: BLE001 - a failed read is retried at the next tick
            log.exception("seat events: reading show %s failed", self.show_id)
            return {}
        changed = {k: v for k, v in fresh.items() if self.states.get(k) != v}
        self.states = fresh
        return changed

    async def run(self) -> None:
        url = self.ctx.hub.settings.redis.url
        try:
            if url:
                await self._run_shared(url)
            else:
                while self.subscribers:
                    await asyncio.sleep(POLL_SECONDS)
                    changed = await self.tick()
                    if changed:
                        self.publish("seats", changed)
        finally:
            if _watches.get(self.show_id) is self:
                _watches.pop(self.show_id, None)

    async def _run_shared(self, url: str) -> None:
        import redis.asyncio as aioredis

        client: Any = aioredis.from_url(url)
        channel = f"seat-events:{self.show_id}"
        lease = f"seat-events:reader:{self.show_id}"
        pubsub = client.pubsub()
        await pubsub.subscribe(channel)
        loop = asyncio.get_running_loop()
        try:
            while self.subscribers:
                try:
                    reader = await client.set(lease, self.host, nx=True, px=LEASE_MS)
                    if not reader and (await client.get(lease)) == self.host.encode():
                        reader = await client.pexpire(lease, LEASE_MS)
                    if reader:
                        changed = await self.tick()
                        if changed:  # every host, this one included, hears it on the channel
                            await client.publish(channel, json.dumps(changed))
                    deadline = loop.time() + POLL_SECONDS
                    while (left := deadline - loop.time()) > 0:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=left
                        )
                        if message and message.get("type") == "message":
                            seats = json.loads(message["data"])
                            self.states.update(seats)
                            self.publish("seats", seats)
                except Exception:  # noqa: BLE001 - Redis away for a moment: try again
                    log.exception("seat events: redis fan-out for %s failed", self.show_id)
                    await asyncio.sleep(POLL_SECONDS)
        finally:
            try:
                if (await client.get(lease)) == self.host.encode():
                    await client.delete(lease)
                await pubsub.unsubscribe(channel)
                await pubsub.aclose()
                await client.aclose()
            except Exception:  # noqa: BLE001 - closing on the way out: nothing to save
                log.debug("seat events: closing redis for %s failed", self.show_id)

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
    operation_id="catalog_seat_events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Seat changes"}},
    summary="Live seat changes (server-sent events): a snapshot, then only the seats that changed",
)
async def seat_events(request: Request, show_id: PathId, ctx: Ctx) -> StreamingResponse:
    try:
        watch, queue = await _subscribe(ctx, show_id)
    except UnknownShow:
        raise not_found("show", show_id) from None
    return StreamingResponse(
        _stream(request, watch, queue),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
