"""apply_delta reads a seat, decides, then writes. A Marquee hold taken between the read and
the write must not be overwritten by a decision made for the seat as it was: the write is
conditional on the row being unchanged, and a changed row is judged again.

PostgreSQL, two real connections: the hold's transaction has taken the seat but not committed
when the POS report is read (READ COMMITTED sees the seat free), and commits while the report's
UPDATE waits for the row lock.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from canonical import DeltaSource, InventoryDelta, SeatChange, SeatStatus
from canonical.time import utcnow
from store import seats
from store import sync as sql
from store.engine import make_engine
from store.tables import show_seats, sync_conflicts
from tests.booking.sql_world import seed

pytestmark = pytest.mark.postgres
SHOW = "shw_sample"
SEAT = "C5"


def _race(url: str, pos_status: SeatStatus) -> tuple[object, list[dict]]:
    engine = make_engine(url, pool_size=4)
    seed(engine)
    with engine.begin() as conn:
        seats.ensure_inventory(conn, SHOW)
    now = utcnow()
    delta = InventoryDelta(
        show_id=SHOW,
        changes=(SeatChange(seat_id=SEAT, status=pos_status),),
        source=DeltaSource.POS_POLL,
        observed_at=now,
        connector_id=None,
    )
    hold_conn = engine.connect()
    hold_tx = hold_conn.begin()
    seats.take_seats(
        hold_conn, SHOW, [SEAT], "hld_race", expires_at=now + timedelta(minutes=8), now=now
    )
    failure: list[BaseException] = []

    def pos_report() -> None:
        try:
            with engine.begin() as conn:
                sql.apply_delta(conn, delta, now)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            failure.append(exc)

    sync = threading.Thread(target=pos_report)
    sync.start()
    time.sleep(0.5)  # the report has read the seat free and waits on the hold's row lock
    hold_tx.commit()
    hold_conn.close()
    sync.join(timeout=10)
    assert not sync.is_alive() and not failure, failure
    with engine.connect() as conn:
        row = conn.execute(
            select(show_seats).where(show_seats.c.show_id == SHOW, show_seats.c.seat_id == SEAT)
        ).one()
        conflicts = [dict(r._mapping) for r in conn.execute(select(sync_conflicts))]
    engine.dispose()
    return row, conflicts


def test_a_pos_hold_read_before_a_concurrent_hold_does_not_take_the_seat_over(fresh_pg_url):
    # Our own hold echoed by the POS: the seat stays with the Marquee hold.
    row, conflicts = _race(fresh_pg_url, SeatStatus.HELD)
    assert (row.status, row.hold_id) == ("held", "hld_race")
    assert conflicts == []


def test_a_pos_sale_racing_a_hold_is_recorded_as_the_conflict_it_is(fresh_pg_url):
    row, conflicts = _race(fresh_pg_url, SeatStatus.SOLD)
    assert (row.status, row.hold_id) == ("sold", None)
    assert [c["kind"] for c in conflicts] == ["pos_sold_held_seat"]
    assert conflicts[0]["detail"]["hold_id"] == "hld_race"
