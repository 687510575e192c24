"""The hold primitive under a real race on PostgreSQL: 50 workers, own connections, 20 rounds."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from store import seats
from store.engine import make_engine
from store.tables import show_seats
from tests.store.helpers import make_show

WORKERS = 50
ROUNDS = 20


def _race(engine: Engine, wishes: dict[str, list[str]]) -> dict[str, str]:
    """Every worker tries its seats at the same moment, each on its own connection."""
    now = datetime.now(UTC)
    outcome: dict[str, str] = {}
    barrier = threading.Barrier(len(wishes))

    def attempt(hold_id: str, wanted: list[str]) -> None:
        barrier.wait()
        try:
            with engine.begin() as conn:
                seats.take_seats(conn, "shw_t", wanted, hold_id, now + timedelta(minutes=8), now)
            outcome[hold_id] = "held"
        except seats.SeatsNotTaken:
            outcome[hold_id] = "refused"

    threads = [threading.Thread(target=attempt, args=item) for item in wishes.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_fifty_workers_never_share_a_seat(fresh_pg_url):
    setup = make_engine(fresh_pg_url)
    all_seats = make_show(setup, rows=4, per_row=10)[:24]  # 24 seats, heavy overlap
    setup.dispose()
    engine = make_engine(fresh_pg_url, pool_size=WORKERS)
    rng = random.Random(7)
    refused_total = 0

    for rnd in range(ROUNDS):
        wishes = {f"r{rnd}w{w}": rng.sample(all_seats, rng.randint(1, 4)) for w in range(WORKERS)}
        outcome = _race(engine, wishes)
        assert len(outcome) == WORKERS  # every attempt accounted for

        with engine.connect() as conn:
            rows = conn.execute(
                select(show_seats.c.seat_id, show_seats.c.hold_id).where(
                    show_seats.c.show_id == "shw_t", show_seats.c.status == "held"
                )
            ).all()
        owner = {r.seat_id: r.hold_id for r in rows}  # one row per seat: one owner at most
        owners = Counter(owner.values())
        for hold_id, result in outcome.items():
            mine = [s for s in wishes[hold_id] if owner.get(s) == hold_id]
            if result == "held":
                assert sorted(mine) == sorted(wishes[hold_id]), f"{hold_id} holds part of its set"
                assert owners[hold_id] == len(wishes[hold_id])
            else:
                assert mine == [], f"{hold_id} was refused but holds {mine}"
        assert set(owners) == {h for h, r in outcome.items() if r == "held"}
        refused_total += sum(1 for r in outcome.values() if r == "refused")

        with engine.begin() as conn:  # the next round starts from an empty house
            conn.execute(
                update(show_seats)
                .where(show_seats.c.status == "held")
                .values(status="available", hold_id=None, hold_expires_at=None)
            )
    engine.dispose()
    assert refused_total > ROUNDS  # the sets really overlapped: the race was contested
