"""Partners and what the partner API needs beyond store/catalog: ownership checks, the screen
schedule rule (no overlapping shows, a cleaning gap), house seats and sales reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update

from canonical.time import utcnow
from store.tables import (
    booking_seats,
    bookings,
    partners,
    screens,
    seat_layouts,
    show_seats,
    shows,
    theatres,
)


@dataclass(frozen=True)
class PartnerRow:
    id: str
    name: str
    created_at: datetime


def create_partner(conn: Connection, partner_id: str, name: str) -> PartnerRow:
    conn.execute(insert(partners).values(id=partner_id, name=name, created_at=utcnow()))
    return PartnerRow(partner_id, name, utcnow())


def get_partner(conn: Connection, partner_id: str) -> PartnerRow | None:
    row = conn.execute(select(partners).where(partners.c.id == partner_id)).first()
    return PartnerRow(row.id, row.name, row.created_at) if row else None


def list_partners(conn: Connection) -> list[PartnerRow]:
    return [
        PartnerRow(r.id, r.name, r.created_at)
        for r in conn.execute(select(partners).order_by(partners.c.id))
    ]


# ---- ownership -----------------------------------------------------------------------------


def theatre_owner(conn: Connection, theatre_id: str) -> str | None:
    return conn.execute(select(theatres.c.partner_id).where(theatres.c.id == theatre_id)).scalar()


def screen_theatre(conn: Connection, screen_id: str) -> str | None:
    return conn.execute(select(screens.c.theatre_id).where(screens.c.id == screen_id)).scalar()


def layout_screen(conn: Connection, layout_id: str) -> str | None:
    return conn.execute(
        select(seat_layouts.c.screen_id).where(seat_layouts.c.id == layout_id)
    ).scalar()


def show_theatre(conn: Connection, show_id: str) -> str | None:
    return conn.execute(select(shows.c.theatre_id).where(shows.c.id == show_id)).scalar()


def partner_theatre_ids(conn: Connection, partner_id: str) -> list[str]:
    return list(
        conn.execute(
            select(theatres.c.id).where(theatres.c.partner_id == partner_id).order_by(theatres.c.id)
        ).scalars()
    )


def list_layouts(conn: Connection, screen_id: str) -> list[tuple[str, int, int]]:
    """(layout id, version, seat count) of a screen's layouts."""
    rows = conn.execute(
        select(seat_layouts.c.id, seat_layouts.c.version, seat_layouts.c.seat_count)
        .where(seat_layouts.c.screen_id == screen_id)
        .order_by(seat_layouts.c.id)
    )
    return [(r.id, r.version, r.seat_count) for r in rows]


# ---- the screen schedule rule --------------------------------------------------------------


def lock_new_id(conn: Connection, kind: str, object_id: str) -> None:
    """Serialise creations that choose the same id (PostgreSQL transaction-scoped advisory lock
    on the kind and id; SQLite serialises writers itself): the second creator then finds the
    first's row and is refused, where a check-then-upsert would have overwritten it."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"partner-create:{kind}:{object_id}")))
        )


def lock_screen(conn: Connection, screen_id: str) -> None:
    """Serialise schedule changes of one screen (PostgreSQL row lock; SQLite locks the file on
    the first write anyway), so two overlapping shows cannot both pass the check."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(screens.c.id).where(screens.c.id == screen_id).with_for_update())


def overlapping_shows(
    conn: Connection,
    screen_id: str,
    start: datetime,
    end: datetime,
    gap_minutes: int,
    exclude: str | None = None,
) -> list[str]:
    """Scheduled shows on the screen that would not leave `gap_minutes` of cleaning time."""
    gap = timedelta(minutes=gap_minutes)
    query = select(shows.c.id).where(
        shows.c.screen_id == screen_id,
        shows.c.status == "scheduled",
        shows.c.start_at < end + gap,
        shows.c.end_at > start - gap,
    )
    if exclude:
        query = query.where(shows.c.id != exclude)
    return list(conn.execute(query.order_by(shows.c.start_at)).scalars())


def cancel_show(conn: Connection, show_id: str) -> bool:
    return (
        conn.execute(
            update(shows)
            .where(shows.c.id == show_id, shows.c.status == "scheduled")
            .values(status="cancelled", updated_at=utcnow())
        ).rowcount
        == 1
    )


def live_bookings(conn: Connection, show_id: str) -> int:
    return conn.execute(
        select(func.count())
        .select_from(bookings)
        .where(bookings.c.show_id == show_id, bookings.c.status.in_(("pending", "confirmed")))
    ).scalar_one()


# ---- house seats ---------------------------------------------------------------------------


def block_seats(conn: Connection, show_id: str, seat_ids: Sequence[str], now: datetime) -> int:
    """Take free seats off sale (house seats). All or none: the caller rolls back on a short
    count. A seat held by a live hold or sold is never blocked."""
    free = or_(
        show_seats.c.status == "available",
        and_(show_seats.c.status == "held", show_seats.c.hold_expires_at <= now),
    )
    return conn.execute(
        update(show_seats)
        .where(show_seats.c.show_id == show_id, show_seats.c.seat_id.in_(list(seat_ids)), free)
        .values(
            status="blocked", hold_id=None, hold_expires_at=None, version=show_seats.c.version + 1
        )
    ).rowcount


def unblock_seats(conn: Connection, show_id: str, seat_ids: Sequence[str]) -> int:
    return conn.execute(
        update(show_seats)
        .where(
            show_seats.c.show_id == show_id,
            show_seats.c.seat_id.in_(list(seat_ids)),
            show_seats.c.status == "blocked",
        )
        .values(status="available", version=show_seats.c.version + 1)
    ).rowcount


def seat_statuses(conn: Connection, show_id: str, seat_ids: Sequence[str]) -> dict[str, str]:
    rows = conn.execute(
        select(show_seats.c.seat_id, show_seats.c.status).where(
            show_seats.c.show_id == show_id, show_seats.c.seat_id.in_(list(seat_ids))
        )
    )
    return {r.seat_id: r.status for r in rows}


# ---- reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowSales:
    show_id: str
    theatre_id: str
    screen_id: str
    movie_id: str
    start: datetime
    business_date: date
    seats_total: int
    seats_sold: int
    seats_blocked: int
    bookings: int
    tickets: int
    revenue: int  # minor units of `currency`
    currency: str


def sales_by_show(
    conn: Connection,
    theatre_ids: Sequence[str],
    *,
    day_from: date | None = None,
    day_to: date | None = None,
    show_id: str | None = None,
) -> list[ShowSales]:
    """Per show of these theatres: inventory counts, confirmed bookings, tickets and revenue."""
    if not theatre_ids:
        return []
    seat_counts = (
        select(
            show_seats.c.show_id,
            func.count().label("total"),
            func.sum(case((show_seats.c.status == "sold", 1), else_=0)).label("sold"),
            func.sum(case((show_seats.c.status == "blocked", 1), else_=0)).label("blocked"),
        )
        .group_by(show_seats.c.show_id)
        .subquery()
    )
    booking_totals = (
        select(
            bookings.c.show_id,
            func.count().label("bookings"),
            func.sum(bookings.c.total_amount).label("revenue"),
        )
        .where(bookings.c.status == "confirmed")
        .group_by(bookings.c.show_id)
        .subquery()
    )
    ticket_totals = (
        select(booking_seats.c.show_id, func.count().label("tickets"))
        .join(bookings, bookings.c.id == booking_seats.c.booking_id)
        .where(booking_seats.c.active, bookings.c.status == "confirmed")
        .group_by(booking_seats.c.show_id)
        .subquery()
    )
    query = (
        select(
            shows.c.id,
            shows.c.theatre_id,
            shows.c.screen_id,
            shows.c.movie_id,
            shows.c.start_at,
            shows.c.business_date,
            theatres.c.currency,
            seat_counts.c.total,
            seat_counts.c.sold,
            seat_counts.c.blocked,
            booking_totals.c.bookings,
            booking_totals.c.revenue,
            ticket_totals.c.tickets,
        )
        .join(theatres, theatres.c.id == shows.c.theatre_id)
        .outerjoin(seat_counts, seat_counts.c.show_id == shows.c.id)
        .outerjoin(booking_totals, booking_totals.c.show_id == shows.c.id)
        .outerjoin(ticket_totals, ticket_totals.c.show_id == shows.c.id)
        .where(shows.c.theatre_id.in_(list(theatre_ids)))
        .order_by(shows.c.business_date, shows.c.theatre_id, shows.c.start_at, shows.c.id)
    )
    if day_from:
        query = query.where(shows.c.business_date >= day_from)
    if day_to:
        query = query.where(shows.c.business_date <= day_to)
    if show_id:
        query = query.where(shows.c.id == show_id)
    return [
        ShowSales(
            show_id=r.id,
            theatre_id=r.theatre_id,
            screen_id=r.screen_id,
            movie_id=r.movie_id,
            start=r.start_at,
            business_date=r.business_date,
            seats_total=r.total or 0,
            seats_sold=int(r.sold or 0),
            seats_blocked=int(r.blocked or 0),
            bookings=r.bookings or 0,
            tickets=r.tickets or 0,
            revenue=int(r.revenue or 0),
            currency=r.currency,
        )
        for r in conn.execute(query)
    ]
