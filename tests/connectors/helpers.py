"""Small helpers shared by the connector tests (reading our own store, waiting)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, func, select

from canonical.time import utcnow
from store import catalog
from store import sync as sql
from store.seats import seat_rows
from store.tables import dead_letters, external_ids, movies, screens, seat_layouts, shows, theatres

TABLES = (theatres, screens, seat_layouts, movies, shows, external_ids)


def snapshot(engine: Engine) -> dict[str, list]:
    """Every catalog row, for 'a re-import changed nothing' (updated_at included)."""
    with engine.connect() as conn:
        return {t.name: sorted(tuple(map(str, r)) for r in conn.execute(select(t))) for t in TABLES}


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar()
            for t in (*TABLES, dead_letters)
        }


def pick_show(engine: Engine, connector_id: str, index: int = 0) -> tuple[str, str, str]:
    """(canonical show id, POS cinema id, POS session id) of an upcoming show."""
    with engine.connect() as conn:
        show_ids = list(
            conn.execute(
                select(shows.c.id)
                .join(theatres, theatres.c.id == shows.c.theatre_id)
                .where(theatres.c.connector_id == connector_id, shows.c.start_at > utcnow())
                .order_by(shows.c.start_at, shows.c.id)
            ).scalars()
        )
        show_id = show_ids[index]
        show = catalog.get_show(conn, show_id)
        cinema = sql.external_for(conn, connector_id, "theatre", show.theatre_id)
        session = sql.external_for(conn, connector_id, "show", show_id)
    return show_id, cinema[1], session[1]


def status(engine: Engine, show_id: str, seat_id: str) -> str:
    with engine.connect() as conn:
        rows = {r.seat_id: r for r in seat_rows(conn, show_id, utcnow())}
    return rows[seat_id].status.value


def free_seats(engine: Engine, show_id: str, n: int, area: int = 1) -> list[str]:
    with engine.connect() as conn:
        rows = seat_rows(conn, show_id, utcnow())
    ids = [
        r.seat_id
        for r in rows
        if r.status.value == "available"
        and r.seat_id.startswith(f"{area}-")
        and r.seat_id.split("-")[1] != "0"
    ]
    return ids[:n]


def pos(seat_id: str) -> tuple[int, int, int]:
    a, r, c = seat_id.split("-")
    return int(a), int(r), int(c)


def wait_for(predicate: Callable[[], bool], timeout: float = 2.0, step: float = 0.02) -> float:
    """Seconds until `predicate` held; raises AssertionError after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")
