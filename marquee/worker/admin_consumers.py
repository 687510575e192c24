"""Consumers that make trouble visible to admins, written in the same transaction as their
processed-message record (local effects: exactly once).

A sale the theatre's POS never took becomes an open row in `sync_conflicts` (kind
`sale_commit_failed`), next to the inventory conflicts the sync raises, so the admin API lists
them in one place.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from booking import events as ev
from marquee.worker.consumers import Consumer, local
from store.outbox import OutboxMessage
from store.tables import sync_conflicts, theatres


def _sale_commit_failed(message: OutboxMessage, conn: Connection) -> None:
    event = ev.from_message(message.topic, message.payload)
    assert isinstance(event, ev.SaleCommitFailed)
    connector_id = conn.execute(
        select(theatres.c.connector_id).where(theatres.c.id == event.theatre_id)
    ).scalar()
    conn.execute(
        insert(sync_conflicts).values(
            id=f"cfl_{uuid.uuid4().hex[:24]}",
            connector_id=connector_id,
            show_id=event.show_id,
            seat_id=None,
            kind="sale_commit_failed",
            detail={
                "booking_id": event.booking_id,
                "theatre_id": event.theatre_id,
                "reason": event.reason,
                "event_id": event.event_id,
            },
            action_taken="booking marked failed; the customer is refunded in full",
            status="open",
            created_at=datetime.now(UTC),
        )
    )


def admin_consumers() -> list[Consumer]:
    return [
        local(
            "marquee.worker.conflicts.sale_commit_failed",
            {ev.SaleCommitFailed.name},
            _sale_commit_failed,
        )
    ]
