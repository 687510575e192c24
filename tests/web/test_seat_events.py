"""Live seat maps over server-sent events, through a real server: a snapshot first, then only
the seats someone else took; many watchers of one show share one reader."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.routers import seat_events
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings
from tests.api.conftest import PASSWORD, seed_accounts


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    hub = build_hub(Settings(database_url=sqlite_url))
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    config = uvicorn.Config(
        create_app(hub, run_worker=False),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        timeout_graceful_shutdown=1,  # open event streams end with the server
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    hub.engine.dispose()


def _events(response: httpx.Response) -> Iterator[tuple[str, dict]]:
    kind = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind:
            yield kind, json.loads(line[6:])
            kind = None


def test_a_watcher_sees_a_snapshot_then_only_the_seats_taken(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        show = client.get("/v1/shows", params={"theatre_id": "thr_chennai_marina"}).json()
        show_id = show["items"][-1]["id"]
        token = client.post(
            "/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "cust-a@test.example",
                "password": PASSWORD,
            },
        ).json()["access_token"]
        with (
            client.stream("GET", f"/v1/shows/{show_id}/seat-events") as first,
            client.stream("GET", f"/v1/shows/{show_id}/seat-events") as second,
        ):
            assert first.headers["content-type"].startswith("text/event-stream")
            events = _events(first)
            kind, snapshot = next(events)
            assert kind == "snapshot"
            assert len(snapshot["seats"]) == snapshot["available"] > 100
            assert len(seat_events._watches[show_id].subscribers) == 2  # one reader, two streams
            next(_events(second))
            started = time.monotonic()
            hold = client.post(
                "/v1/holds",
                json={"show_id": show_id, "count": 2},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert hold.status_code == 201, hold.text
            kind, change = next(events)
            elapsed = time.monotonic() - started
            assert kind == "seats"
            assert change["seats"] == {s: "held" for s in hold.json()["seat_ids"]}
            assert change["available"] == snapshot["available"] - 2
            assert elapsed < 2.0
        assert client.get("/v1/shows/nope/seat-events").status_code == 404


@pytest.mark.redis
def test_with_redis_one_host_reads_and_every_host_hears(sqlite_url: str, redis_url: str) -> None:
    """Two API hosts watch one show: one holds the reader's lease, both streams get the change."""
    import asyncio

    import redis

    hub = build_hub(Settings(database_url=sqlite_url, redis_url=redis_url))
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    ctx = create_app(hub, run_worker=False).state.ctx
    with hub.engine.connect() as conn:
        from store import catalog

        show_id = catalog.list_shows(conn, theatre_id="thr_chennai_marina")[-1].id

    async def scenario() -> tuple[dict, dict, str | None]:
        hosts = [seat_events.ShowWatch(show_id, ctx, host=f"host-{i}") for i in (1, 2)]
        queues: list[asyncio.Queue] = []
        for watch in hosts:
            watch.states = await watch.read()
            queue: asyncio.Queue = asyncio.Queue()
            watch.subscribers.add(queue)
            queues.append(queue)
            watch.task = asyncio.create_task(watch.run())
        await asyncio.sleep(seat_events.POLL_SECONDS * 3)  # a lease is taken
        holder = redis.Redis.from_url(redis_url).get(f"seat-events:reader:{show_id}")
        hold = await asyncio.to_thread(ctx.booking.hold_best_available, show_id, 2, None, "usr_x")
        got = [await asyncio.wait_for(q.get(), 5) for q in queues]
        for watch in hosts:
            watch.subscribers.clear()
        await asyncio.gather(*(w.task for w in hosts if w.task))
        expected = {s: "held" for s in hold.seat_ids}
        events = [json.loads(g.decode().split("data: ", 1)[1]) for g in got]
        assert all(e["seats"] == expected for e in events)
        return events[0], events[1], holder.decode() if holder else None

    first, second, holder = asyncio.run(scenario())
    assert holder in {"host-1", "host-2"}  # exactly one host reads the database
    assert first == second
    hub.engine.dispose()
