"""SQL of the allocation sales report (booking/allocation_sales.py): the bookings Marquee sold
from a connector's allocation, and the one cheap read that tells a booking event whether its
theatre wants the report at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from booking.allocation_sales import AllocationBooking
from canonical.orders import Ticket
from store.tables import bookings, connectors, external_ids, screens, shows, theatres


def allocation_bookings(
    conn: Connection,
    connector_id: str,
    day_from: date,
    day_to: date,
    theatre_ids: Sequence[str] | None = None,
) -> list[AllocationBooking]:
    """Confirmed and cancelled bookings of the connector's theatres' shows on these business
    days that Marquee sold itself. A booking the POS took (it has a remote reference) was a
    live sale, made before the connector sold an allocation: the POS already knows it."""
    query = (
        select(
            bookings.c.code,
            bookings.c.status,
            bookings.c.tickets,
            bookings.c.confirmed_at,
            bookings.c.cancelled_at,
            shows.c.id.label("show_id"),
            shows.c.start_at,
            shows.c.business_date,
            theatres.c.timezone,
            screens.c.id.label("screen_id"),
            screens.c.name.label("screen_name"),
        )
        .join(shows, shows.c.id == bookings.c.show_id)
        .join(theatres, theatres.c.id == shows.c.theatre_id)
        .join(screens, screens.c.id == shows.c.screen_id)
        .where(
            theatres.c.connector_id == connector_id,
            shows.c.business_date >= day_from,
            shows.c.business_date <= day_to,
            bookings.c.status.in_(("confirmed", "cancelled")),
            bookings.c.confirmed_at.is_not(None),
            bookings.c.remote_ref.is_(None),
        )
    )
    if theatre_ids is not None:
        query = query.where(theatres.c.id.in_(list(theatre_ids)))
    rows = conn.execute(query).all()
    refs = _show_refs(conn, connector_id, {r.show_id for r in rows})
    return [
        AllocationBooking(
            code=r.code,
            status=r.status,
            tickets=tuple(Ticket.model_validate(t) for t in r.tickets),
            confirmed_at=r.confirmed_at,
            cancelled_at=r.cancelled_at,
            show_id=r.show_id,
            pos_show_ref=refs.get(r.show_id),
            start_at=r.start_at,
            business_date=r.business_date,
            timezone=r.timezone,
            screen_id=r.screen_id,
            screen_name=r.screen_name,
        )
        for r in rows
    ]


def _show_refs(conn: Connection, connector_id: str, show_ids: set[str]) -> dict[str, str]:
    """The POS's id of each show; the newest mapping wins (a rescheduled show answers to its
    current POS id), as in store.sync.external_for."""
    if not show_ids:
        return {}
    rows = conn.execute(
        select(external_ids.c.canonical_id, external_ids.c.external_id)
        .where(
            external_ids.c.connector_id == connector_id,
            external_ids.c.entity == "show",
            external_ids.c.canonical_id.in_(sorted(show_ids)),
        )
        .order_by(external_ids.c.updated_at)
    ).all()
    return {r.canonical_id: r.external_id for r in rows}


def connector_settings(conn: Connection, connector_id: str) -> Mapping[str, Any] | None:
    """The connector's settings, or None when there is no such connector."""
    row = conn.execute(select(connectors.c.settings).where(connectors.c.id == connector_id)).first()
    return dict(row.settings or {}) if row else None


def theatre_connector(conn: Connection, theatre_id: str) -> tuple[str, Mapping[str, Any]] | None:
    """(connector id, its settings) of a theatre linked to a connector, in one read."""
    row = conn.execute(
        select(connectors.c.id, connectors.c.settings)
        .join(theatres, theatres.c.connector_id == connectors.c.id)
        .where(theatres.c.id == theatre_id)
    ).first()
    return (row.id, dict(row.settings or {})) if row else None


def show_business_date(conn: Connection, show_id: str) -> date | None:
    return conn.execute(select(shows.c.business_date).where(shows.c.id == show_id)).scalar()
