"""SQL for the transactional outbox and the consumers' de-duplication table.

The outbox row is written in the same transaction as the state change that caused it (see the
unit of work); this module is what happens afterwards:

- `claim` leases due rows to one relay: a row is due when it is neither delivered nor failed, its
  `available_at` has come, and nobody holds a live lease on it (`locked_until`). On PostgreSQL the
  candidates are locked with FOR UPDATE SKIP LOCKED so relays on several workers never queue
  behind each other; on both dialects the lease itself is a conditional UPDATE, so two relays can
  never both win a row. A relay that dies simply lets its lease run out and the row comes back.
- `mark_delivered`, `schedule_retry`, `mark_failed` record the outcome. A failed row is kept
  (with its last error) for admins, and `requeue` puts it back: nothing is ever deleted.
- `record_processed` is the idempotent consumer's guard: one row per (consumer, message id),
  inserted in the same transaction as the consumer's own effect when that effect is local.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.tables import outbox, processed_messages


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    event_id: str
    topic: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int  # including the delivery this message was claimed for
    locked_until: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str | None = None


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        event_id=row.event_id,
        topic=row.topic,
        payload=dict(row.payload),
        created_at=row.created_at,
        attempts=row.attempts,
        locked_until=row.locked_until,
        delivered_at=row.delivered_at,
        failed_at=row.failed_at,
        last_error=row.last_error,
    )


def append(
    conn: Connection,
    *,
    event_id: str,
    topic: str,
    payload: dict[str, Any],
    now: datetime,
    available_at: datetime | None = None,
) -> None:
    """Write one event into the outbox, inside the caller's transaction."""
    conn.execute(
        insert(outbox).values(
            event_id=event_id,
            topic=topic,
            payload=payload,
            created_at=now,
            available_at=available_at or now,
            attempts=0,
        )
    )


def _due(now: datetime):
    return and_(
        outbox.c.delivered_at.is_(None),
        outbox.c.failed_at.is_(None),
        outbox.c.available_at <= now,
        or_(outbox.c.locked_until.is_(None), outbox.c.locked_until <= now),
    )


def claim(
    conn: Connection,
    *,
    now: datetime,
    lease: timedelta,
    limit: int = 100,
    ids: Sequence[int] | None = None,
) -> list[OutboxMessage]:
    """Lease up to `limit` due rows (oldest first) until `now + lease`, counting one attempt on
    each. Commit the caller's transaction promptly: the lease is what protects the row, not the
    row lock. `ids` narrows the claim to given rows (a task delivering one message)."""
    candidates = select(outbox.c.id).where(_due(now)).order_by(outbox.c.id).limit(limit)
    if ids is not None:
        candidates = candidates.where(outbox.c.id.in_(list(ids)))
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    found = [row.id for row in conn.execute(candidates)]
    until = now + lease
    claimed: list[OutboxMessage] = []
    for row_id in found:
        # Conditional update: the lease is taken only if the row is still due (on SQLite another
        # relay may have won it between the select and here).
        row = conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id, _due(now))
            .values(locked_until=until, attempts=outbox.c.attempts + 1)
            .returning(*outbox.c)
        ).first()
        if row is not None:
            claimed.append(_message(row))
    return claimed


def mark_delivered(conn: Connection, message_id: int, *, now: datetime) -> bool:
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.delivered_at.is_(None))
        .values(delivered_at=now, locked_until=None, failed_at=None, last_error=None)
    )
    return result.rowcount == 1


def schedule_retry(conn: Connection, message_id: int, *, at: datetime, error: str) -> None:
    """Give the row back for another attempt at `at` (backoff), remembering why it failed."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.delivered_at.is_(None))
        .values(available_at=at, locked_until=None, last_error=error[:4000])
    )


def mark_failed(conn: Connection, message_id: int, *, now: datetime, error: str) -> None:
    """Out of attempts: the row stays, flagged for admins (see `failed`, `requeue`)."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.delivered_at.is_(None))
        .values(failed_at=now, locked_until=None, last_error=error[:4000])
    )


def requeue(conn: Connection, message_id: int, *, now: datetime) -> bool:
    """An admin sends a failed row round again, with a fresh attempt budget."""
    result = conn.execute(
        update(outbox)
        .where(
            outbox.c.id == message_id,
            outbox.c.failed_at.is_not(None),
            outbox.c.delivered_at.is_(None),
        )
        .values(failed_at=None, attempts=0, available_at=now, locked_until=None)
    )
    return result.rowcount == 1


def get(conn: Connection, message_id: int) -> OutboxMessage | None:
    row = conn.execute(select(outbox).where(outbox.c.id == message_id)).first()
    return _message(row) if row is not None else None


def by_event_id(conn: Connection, event_id: str) -> OutboxMessage | None:
    row = conn.execute(select(outbox).where(outbox.c.event_id == event_id)).first()
    return _message(row) if row is not None else None


def failed(conn: Connection, limit: int = 100) -> list[OutboxMessage]:
    rows = conn.execute(
        select(outbox).where(outbox.c.failed_at.is_not(None)).order_by(outbox.c.id).limit(limit)
    )
    return [_message(r) for r in rows]


def counts(conn: Connection) -> dict[str, int]:
    """pending / delivered / failed, for health pages and the CLI."""
    state = select(
        func.count().filter(outbox.c.delivered_at.is_not(None)).label("delivered"),
        func.count().filter(outbox.c.failed_at.is_not(None)).label("failed"),
        func.count()
        .filter(and_(outbox.c.delivered_at.is_(None), outbox.c.failed_at.is_(None)))
        .label("pending"),
    )
    row = conn.execute(state).one()
    return {"pending": row.pending, "delivered": row.delivered, "failed": row.failed}


# --- idempotent consumers ------------------------------------------------------------------
def record_processed(conn: Connection, consumer: str, message_id: str, *, now: datetime) -> bool:
    """Record that `consumer` handled `message_id`; False if it already had (a redelivery).

    INSERT .. ON CONFLICT DO NOTHING: on PostgreSQL a concurrent duplicate waits for the first
    transaction and then sees the conflict, so of two racing deliveries exactly one proceeds."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(processed_messages)
        .values(consumer=consumer, message_id=message_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        .returning(processed_messages.c.consumer)
    )
    # RETURNING, not rowcount: psycopg does not report a row count here.
    return conn.execute(stmt).first() is not None


def record_processed_many(
    conn: Connection, consumer: str, message_ids: Sequence[str], *, now: datetime
) -> set[str]:
    """`record_processed` for many messages in one statement: the ids recorded now (those not
    handled before)."""
    if not message_ids:
        return set()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(processed_messages)
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        .returning(processed_messages.c.message_id)
    )
    rows = [{"consumer": consumer, "message_id": m, "processed_at": now} for m in message_ids]
    return set(conn.execute(stmt, rows).scalars())


def was_processed(conn: Connection, consumer: str, message_id: str) -> bool:
    row = conn.execute(
        select(processed_messages.c.consumer).where(
            processed_messages.c.consumer == consumer, processed_messages.c.message_id == message_id
        )
    ).first()
    return row is not None


def processed_by(conn: Connection, message_id: str) -> list[str]:
    rows = conn.execute(
        select(processed_messages.c.consumer)
        .where(processed_messages.c.message_id == message_id)
        .order_by(processed_messages.c.consumer)
    )
    return [r.consumer for r in rows]
