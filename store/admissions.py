"""SQL of check-in at the door: what a scanned ticket's booking is, which of its seats are in,
and letting seats in exactly once (the primary key of `admissions` decides, not a read)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from booking.checkin import TicketFacts
from canonical.orders import BookingStatus
from store.tables import bookings, payments, shows
from store.tables_venue import admissions

REFUNDED = ("refunded", "partially_refunded")


def ticket_facts(conn: Connection, booking_id: str) -> TicketFacts | None:
    row = conn.execute(
        select(
            bookings.c.id,
            bookings.c.code,
            bookings.c.status,
            bookings.c.tickets,
            shows.c.id.label("show_id"),
            shows.c.theatre_id,
            shows.c.business_date,
        )
        .join(shows, shows.c.id == bookings.c.show_id)
        .where(bookings.c.id == booking_id)
    ).first()
    if row is None:
        return None
    refunded = conn.execute(
        select(func.count())
        .select_from(payments)
        .where(payments.c.booking_id == booking_id, payments.c.status.in_(REFUNDED))
    ).scalar()
    return TicketFacts(
        booking_id=row.id,
        booking_code=row.code,
        status=BookingStatus(row.status),
        refunded=bool(refunded),
        seat_ids=tuple(t["seat_id"] for t in row.tickets),
        show_id=row.show_id,
        theatre_id=row.theatre_id,
        business_date=row.business_date,
    )


def admitted_seats(conn: Connection, booking_id: str) -> set[str]:
    return set(
        conn.execute(
            select(admissions.c.seat_id).where(admissions.c.booking_id == booking_id)
        ).scalars()
    )


def admit(
    conn: Connection,
    facts: TicketFacts,
    seat_ids: Sequence[str],
    *,
    at: datetime,
    by: str | None,
    forwarded: bool,
) -> list[str]:
    """Let the seats in; the ones this call admitted (a seat another door let in a moment ago
    is not among them)."""
    rows = [
        {
            "booking_id": facts.booking_id,
            "seat_id": seat_id,
            "show_id": facts.show_id,
            "theatre_id": facts.theatre_id,
            "admitted_at": at,
            "admitted_by": by,
            "forwarded": forwarded,
        }
        for seat_id in seat_ids
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    admitted: list[str] = []
    for row in rows:
        statement = (
            dialect.insert(admissions)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["booking_id", "seat_id"])
            .returning(admissions.c.seat_id)
        )
        admitted.extend(conn.execute(statement).scalars())
    return admitted


def admitted_counts(conn: Connection, show_ids: Iterable[str]) -> dict[str, int]:
    ids = list(set(show_ids))
    out: dict[str, int] = {}
    for i in range(0, len(ids), 2000):
        out.update(
            {
                r.show_id: r.n
                for r in conn.execute(
                    select(admissions.c.show_id, func.count().label("n"))
                    .where(admissions.c.show_id.in_(ids[i : i + 2000]))
                    .group_by(admissions.c.show_id)
                )
            }
        )
    return out
