"""Push integrity. Attacks replayed against the push receiver, with the restline simulator and its
connector on PostgreSQL:

- a push signed without a timestamp, or signed long ago, is refused (401);
- a captured push sent again is refused (409) once applied;
- a delta with a sequence older than the last applied for its show never rolls a seat back;
- a poison push (100,000-deep JSON) gets a 4xx, never a 5xx the POS would retry forever;
- the simulator's own pushes (signed with a timestamp) are still applied.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from adapters import push_auth
from api.pushserver import PushServer
from connectors import connector as connector_mod
from connectors.catalog import import_catalog
from connectors.resilience import reset_breakers
from store.engine import make_engine
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import free_seats, pick_show, pos, status

pytestmark = pytest.mark.postgres

SECRET = "restline-hook"


@pytest.fixture
def engine(fresh_pg_url: str) -> Iterator[Engine]:
    eng = make_engine(fresh_pg_url)
    yield eng
    connector_mod.forget(eng)
    reset_breakers()
    eng.dispose()


@pytest.fixture
def world(engine) -> Iterator:
    from simulators.restline import RestlineSimulator

    with (
        RestlineSimulator(seed=3, cinemas=1, screens=1, shows_per_day=2, days=2) as sim,
        PushServer(engine) as server,
    ):
        connector = connect_restline(engine, sim)
        import_catalog(connector)
        yield sim, server


def _body(cinema: str, session: str, seat: str, code: int, seq: int) -> bytes:
    area, row, col = pos(seat)
    return json.dumps(
        {
            "EventType": "SeatsChanged",
            "Seq": seq,
            "CinemaId": cinema,
            "SessionId": session,
            "Seats": [{"AreaNumber": area, "RowIndex": row, "ColumnIndex": col, "Status": code}],
        }
    ).encode()


def _post(server: PushServer, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Restline-Signature"] = signature
    return httpx.post(server.url("restline"), content=body, headers=headers, timeout=10)


SOLD, FREE = 1, 0  # restline's seat status codes (simulators/restline.py STATUS_CODES)


def test_old_unstamped_and_replayed_pushes_are_refused(engine, world):
    sim, server = world
    show_id, cinema, session = pick_show(engine, "restline")
    seat = free_seats(engine, show_id, 1)[0]
    body = _body(cinema, session, seat, SOLD, seq=900)
    bare = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert _post(server, body, bare).status_code == 401  # no timestamp in the signature
    stale = push_auth.sign(body, SECRET, timestamp=int(time.time()) - 3600)
    assert _post(server, body, stale).status_code == 401  # signed an hour ago
    assert status(engine, show_id, seat) == "available"
    fresh = push_auth.sign(body, SECRET)
    assert _post(server, body, fresh).status_code == 200
    assert status(engine, show_id, seat) == "sold"
    # The same push again (a captured copy, re-signed or not): refused, not applied twice.
    assert _post(server, body, fresh).status_code == 409
    assert _post(server, body, push_auth.sign(body, SECRET)).status_code == 409


def test_an_older_sequence_never_rolls_a_seat_back(engine, world):
    sim, server = world
    show_id, cinema, session = pick_show(engine, "restline")
    seat = free_seats(engine, show_id, 1)[0]
    newer = _body(cinema, session, seat, SOLD, seq=50)
    older = _body(cinema, session, seat, FREE, seq=40)
    assert _post(server, newer, push_auth.sign(newer, SECRET)).status_code == 200
    assert status(engine, show_id, seat) == "sold"
    answer = _post(server, older, push_auth.sign(older, SECRET))
    assert answer.status_code < 500
    assert status(engine, show_id, seat) == "sold"


def test_a_poison_push_is_a_4xx_not_a_retry_forever_5xx(engine, world):
    sim, server = world
    body = b"[" * 100_000 + b"]" * 100_000
    answer = _post(server, body, push_auth.sign(body, SECRET))
    assert 400 <= answer.status_code < 500, answer.text
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    answer = _post(server, deep, push_auth.sign(deep, SECRET))
    assert 400 <= answer.status_code < 500, answer.text
    for junk in (b"<a>" * 100_000 + b"</a>" * 100_000, b"\xff\xfe not json", b'{"Seats": 7}'):
        # Refused or dead-lettered for admins: either way never a 5xx retried forever.
        answer = _post(server, junk, push_auth.sign(junk, SECRET))
        assert answer.status_code < 500, (junk[:20], answer.text)


def test_the_simulator_push_path_still_works(engine, world):
    sim, server = world
    show_id, cinema, session = pick_show(engine, "restline")
    seat = free_seats(engine, show_id, 1)[0]
    sim.set_push_target(server.url("restline"), SECRET)
    sim.box_office.sell(cinema, session, [pos(seat)])
    assert sim.pusher.wait_idle()
    assert sim.pusher.log[-1].status == 200
    assert status(engine, show_id, seat) == "sold"
