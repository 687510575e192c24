"""Issue 5's race: hundreds of concurrent customers, each with its own connection and unit of
work, race for overlapping seats of one show through the booking services on PostgreSQL.
No seat may end up in two bookings, and every attempt is accounted for."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from booking import errors
from canonical.catalog import TheatreRules
from canonical.orders import BookingStatus
from payments.offline import CARD_SUCCESS
from store.tables import booking_seats, bookings, holds, show_seats

from .sql_world import sql_service

CLIENTS = 200

pytestmark = pytest.mark.postgres


def test_two_hundred_clients_never_share_a_seat(fresh_pg_url):
    service, engine, gateway, clock = sql_service(
        fresh_pg_url,
        pool_size=30,
        rows=5,
        per_row=10,
        rules=TheatreRules(companion_requires_wheelchair=False),
    )
    # A hot block of 24 standard seats (rows B-D, columns 2-9): every request overlaps others.
    hot = [f"{row}{col}" for row in "BCD" for col in range(2, 10)]
    rng = random.Random(5)
    wishes = []
    for _ in range(CLIENTS):
        row = rng.choice("BCD")
        start = rng.randint(2, 8)
        wishes.append([f"{row}{c}" for c in range(start, min(start + rng.randint(1, 3), 10))])
    outcome: list[str | None] = [None] * CLIENTS
    booked: dict[int, str] = {}
    barrier = threading.Barrier(CLIENTS)

    def customer(i: int) -> None:
        barrier.wait()
        try:
            hold = service.place_hold("shw_sample", wishes[i], customer_id=f"cus_{i}")
        except errors.SeatsUnavailable:
            outcome[i] = "refused"
            return
        except Exception as exc:  # anything else is a failure of the test subject
            outcome[i] = f"error: {exc!r}"
            return
        outcome[i] = "held"
        if i % 3 == 0:  # some customers walk away
            service.release_hold(hold.id)
            outcome[i] = "held-released"
            return
        result = service.checkout(hold.id, f"cus_{i}", details={"card_number": CARD_SUCCESS})
        if result.booking.status != BookingStatus.CONFIRMED:
            outcome[i] = f"error: a held customer's booking is {result.booking.status.value}"
            return
        booked[i] = result.booking.id
        outcome[i] = "held-booked"

    started = time.monotonic()
    threads = [threading.Thread(target=customer, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    elapsed = time.monotonic() - started

    counts = Counter(o.split(":")[0] if o else "missing" for o in outcome)
    held = sum(n for k, n in counts.items() if k.startswith("held"))
    assert counts["error"] == 0 and counts["missing"] == 0, counts
    assert held + counts["refused"] == CLIENTS  # every attempt accounted for
    assert held > 0 and counts["refused"] > 0  # it really was a race

    with engine.connect() as conn:
        hold_rows = conn.execute(select(holds.c.id, holds.c.status, holds.c.seat_ids)).all()
        confirmed = conn.execute(
            select(bookings.c.id, bookings.c.tickets).where(
                bookings.c.status == BookingStatus.CONFIRMED.value
            )
        ).all()
        sold = conn.execute(
            select(show_seats.c.seat_id, show_seats.c.booking_id).where(
                show_seats.c.status == "sold"
            )
        ).all()
        live = conn.execute(
            select(booking_seats.c.seat_id, booking_seats.c.booking_id).where(
                booking_seats.c.active
            )
        ).all()
    assert len(hold_rows) == held  # one stored hold per success, none for refusals
    assert Counter(r.status for r in hold_rows) == {
        "converted": counts["held-booked"],
        "released": counts["held-released"],
    }
    assert len(confirmed) == len(booked) == counts["held-booked"]
    seats_in_bookings = [t["seat_id"] for b in confirmed for t in b.tickets]
    assert len(seats_in_bookings) == len(set(seats_in_bookings))  # no seat in two bookings
    assert {(s.seat_id, s.booking_id) for s in sold} == {(s.seat_id, s.booking_id) for s in live}
    assert {s.seat_id for s in sold} == set(seats_in_bookings)
    assert set(seats_in_bookings) <= set(hot)
    assert elapsed < 30, f"race took {elapsed:.1f}s"
    engine.dispose()
