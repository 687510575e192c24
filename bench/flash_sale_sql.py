"""The raw-SQL ceiling for the flash-sale benchmark: the same conditional hold UPDATE that
store/seats.py issues, sent directly over psycopg by concurrent clients, each with its own
connection. Whatever the HTTP API reaches is measured as a share of this."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

HOLD_SQL = """
UPDATE show_seats SET status = 'held', hold_id = %(hold)s, hold_expires_at = %(expires)s,
       booking_id = NULL, version = version + 1
 WHERE show_id = %(show)s
   AND seat_id IN (SELECT seat_id FROM show_seats
                    WHERE show_id = %(show)s AND seat_id = ANY(%(seats)s)
                    ORDER BY seat_id FOR UPDATE)
   AND (status = 'available' OR (status = 'held' AND hold_expires_at <= %(now)s))
"""


@dataclass
class Run:
    attempts: int = 0
    held: int = 0
    seats_held: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0


def raw_sql_holds(libpq_url: str, show_id: str, plans: list[list[str]], concurrency: int) -> Run:
    """Issue one hold attempt per plan from `concurrency` threads; all or none per attempt."""
    run = Run()
    lock = threading.Lock()
    cursor = iter(enumerate(plans))

    def worker() -> None:
        with psycopg.connect(libpq_url) as conn:
            while True:
                with lock:
                    item = next(cursor, None)
                if item is None:
                    return
                _, seats = item
                now = datetime.now(UTC)
                started = time.perf_counter()
                with conn.cursor() as cur:
                    cur.execute(
                        HOLD_SQL,
                        {
                            "hold": f"raw_{uuid.uuid4().hex[:16]}",
                            "expires": now + timedelta(minutes=8),
                            "show": show_id,
                            "seats": seats,
                            "now": now,
                        },
                    )
                    won = cur.rowcount == len(seats)
                if won:
                    conn.commit()
                else:
                    conn.rollback()
                elapsed = time.perf_counter() - started
                with lock:
                    run.attempts += 1
                    run.latencies.append(elapsed)
                    if won:
                        run.held += 1
                        run.seats_held += len(seats)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - started
    return run


def reset_show(libpq_url: str, show_id: str) -> None:
    with psycopg.connect(libpq_url) as conn:
        conn.execute(
            "UPDATE show_seats SET status='available', hold_id=NULL, hold_expires_at=NULL, "
            "booking_id=NULL WHERE show_id=%s AND status <> 'blocked'",
            (show_id,),
        )
