"""Admin look-ups and connector housekeeping (SQL only).

Customer contact data is encrypted at rest; the caller passes the keyed email hash, and for a
phone number a predicate over decrypted values (phones have no lookup hash yet, so a phone search
reads every customer with a phone: fine for an admin screen, not for a hot path).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from store.tables import bookings, connectors, external_ids, theatres, users

CHUNK = 500


def booking_id_by_code(conn: Connection, code: str) -> str | None:
    found = conn.execute(select(bookings.c.id).where(bookings.c.code == code)).scalar()
    return None if found is None else str(found)


def user_id_by_email_hash(conn: Connection, email_hash: str) -> str | None:
    found = conn.execute(select(users.c.id).where(users.c.email_hash == email_hash)).scalar()
    return None if found is None else str(found)


def user_ids_by_phone(conn: Connection, matches: Callable[[str], bool]) -> list[str]:
    """Ids of users whose stored (encrypted) phone satisfies `matches`, read in chunks."""
    found: list[str] = []
    after = ""
    while True:
        rows = conn.execute(
            select(users.c.id, users.c.phone_enc)
            .where(users.c.phone_enc.is_not(None), users.c.id > after)
            .order_by(users.c.id)
            .limit(CHUNK)
        ).all()
        found += [r.id for r in rows if matches(r.phone_enc)]
        if len(rows) < CHUNK:
            return found
        after = rows[-1].id


def booking_ids_of(
    conn: Connection,
    customer_ids: Sequence[str],
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[tuple[str, datetime]]:
    """(id, created_at) of these customers' bookings, newest first, after the `before` key."""
    if not customer_ids:
        return []
    query = (
        select(bookings.c.id, bookings.c.created_at)
        .where(bookings.c.customer_id.in_(list(customer_ids)))
        .order_by(bookings.c.created_at.desc(), bookings.c.id.desc())
        .limit(limit)
    )
    if before is not None:
        at, last_id = before
        query = query.where(
            or_(
                bookings.c.created_at < at,
                and_(bookings.c.created_at == at, bookings.c.id < last_id),
            )
        )
    return [(r.id, r.created_at) for r in conn.execute(query)]


def connector_usage(conn: Connection, connector_id: str) -> dict[str, int]:
    """What still refers to a connector: its theatres and the external ids it imported."""
    count = func.count()
    return {
        "theatres": conn.execute(
            select(count).select_from(theatres).where(theatres.c.connector_id == connector_id)
        ).scalar_one(),
        "external_ids": conn.execute(
            select(count)
            .select_from(external_ids)
            .where(external_ids.c.connector_id == connector_id)
        ).scalar_one(),
    }


def delete_connector(conn: Connection, connector_id: str, version: datetime) -> bool:
    """Delete the connector if it is still at `version` (its updated_at)."""
    return (
        conn.execute(
            delete(connectors).where(
                connectors.c.id == connector_id, connectors.c.updated_at == version
            )
        ).rowcount
        == 1
    )


def update_connector(
    conn: Connection, connector_id: str, values: dict[str, object], version: datetime
) -> datetime | None:
    """Write `values` if the connector is still at `version` (its updated_at); the new version,
    or None when someone changed it first (a conditional update, not a read-then-write)."""
    from canonical.time import utcnow

    now = utcnow()
    done = conn.execute(
        update(connectors)
        .where(connectors.c.id == connector_id, connectors.c.updated_at == version)
        .values(**values, updated_at=now)
    )
    return now if done.rowcount == 1 else None
