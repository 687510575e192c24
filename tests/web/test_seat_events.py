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
