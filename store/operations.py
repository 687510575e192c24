"""What admins operate on: connector rows, the sync conflict queue and dead letters.

(Connectors' own SQL lives in store/sync.py; this module adds the admin-side reads and state
changes, each a conditional update so two admins acting at once cannot both win.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update

from canonical.time import utcnow
from store.tables import connectors, dead_letters, sync_conflicts


def set_connector_status(conn: Connection, connector_id: str, status: str) -> bool:
    return (
        conn.execute(
            update(connectors)
            .where(connectors.c.id == connector_id)
            .values(status=status, updated_at=utcnow())
        ).rowcount
        == 1
    )


def all_connectors(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(connectors).order_by(connectors.c.id))]


def _page(
    conn: Connection,
    table,
    *,
    status: str | None,
    connector_id: str | None,
    after: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    query = select(table).order_by(table.c.id).limit(limit)
    if status:
        query = query.where(table.c.status == status)
    if connector_id:
        query = query.where(table.c.connector_id == connector_id)
    if after:
        query = query.where(table.c.id > after)
    return [dict(r._mapping) for r in conn.execute(query)]


def conflicts(
    conn: Connection,
    *,
    status: str | None = None,
    connector_id: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    return _page(
        conn, sync_conflicts, status=status, connector_id=connector_id, after=after, limit=limit
    )


def get_conflict(conn: Connection, conflict_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(sync_conflicts).where(sync_conflicts.c.id == conflict_id)).first()
    return dict(row._mapping) if row else None


def resolve_conflict(conn: Connection, conflict_id: str, resolution: str) -> bool:
    return (
        conn.execute(
            update(sync_conflicts)
            .where(sync_conflicts.c.id == conflict_id, sync_conflicts.c.status == "open")
            .values(status="resolved", resolution=resolution, resolved_at=utcnow())
        ).rowcount
        == 1
    )


# What an admin may do about each kind of conflict (kinds not listed take any recorded action).
CONFLICT_ACTIONS: dict[str, tuple[str, ...]] = {
    "pos_sold_booked_seat": ("refund_customer", "keep_booking"),
    "sale_commit_failed": ("refund_customer", "keep_booking"),
    "pos_sold_held_seat": ("acknowledge",),
}


def allowed_actions(kind: str) -> tuple[str, ...] | None:
    return CONFLICT_ACTIONS.get(kind)


def resolved_action(row: dict[str, Any]) -> str | None:
    """The action a resolved conflict was resolved with (its resolution reads "action: note")."""
    resolution = row.get("resolution") or ""
    return resolution.split(":", 1)[0].strip() or None


def dead_letter_page(
    conn: Connection,
    *,
    status: str | None = None,
    connector_id: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    return _page(
        conn, dead_letters, status=status, connector_id=connector_id, after=after, limit=limit
    )


def get_dead_letter(conn: Connection, dead_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(dead_letters).where(dead_letters.c.id == dead_id)).first()
    return dict(row._mapping) if row else None


def close_dead_letter(conn: Connection, dead_id: str, status: str) -> bool:
    """open -> replayed or discarded, once."""
    values: dict[str, Any] = {"status": status}
    if status == "replayed":
        values["replayed_at"] = utcnow()
    return (
        conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id == dead_id, dead_letters.c.status == "open")
            .values(**values)
        ).rowcount
        == 1
    )


def open_counts(conn: Connection) -> tuple[int, int]:
    """(open conflicts, open dead letters), for the gauges."""
    c = (
        conn.execute(
            select(func.count())
            .select_from(sync_conflicts)
            .where(sync_conflicts.c.status == "open")
        ).scalar()
        or 0
    )
    d = (
        conn.execute(
            select(func.count()).select_from(dead_letters).where(dead_letters.c.status == "open")
        ).scalar()
        or 0
    )
    return int(c), int(d)
