"""What a POS already told us, so that it is not applied again or out of order.

- `accept_sequence`: the last sequence applied per (connector, show) moves only forward, in the
  applying transaction (the row lock serialises two pushes for one show); a delta older than it
  is skipped. Sequences that are not integers are not ordered here (each adapter's own rules
  still apply).
- `seen_push` / `record_push`: a digest of every push body applied, kept for the signature
  window; the same body again is a replay.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from canonical.time import utcnow
from store.tables_integrity import pos_sequences, push_receipts


def accept_sequence(
    conn: Connection, connector_id: str | None, show_id: str, sequence: str | None
) -> bool:
    """True when a delta with this sequence may be applied (and record it as the last)."""
    if connector_id is None or sequence is None or not str(sequence).strip().isdigit():
        return True
    seq = int(str(sequence).strip())
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(pos_sequences).values(
        connector_id=connector_id, show_id=show_id, sequence=seq, updated_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["connector_id", "show_id"],
        set_={"sequence": stmt.excluded.sequence, "updated_at": stmt.excluded.updated_at},
        where=pos_sequences.c.sequence <= stmt.excluded.sequence,
    ).returning(pos_sequences.c.sequence)
    return conn.execute(stmt).first() is not None


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def seen_push(conn: Connection, connector_id: str, body_digest: str) -> bool:
    return (
        conn.execute(
            select(push_receipts.c.digest).where(
                push_receipts.c.connector_id == connector_id,
                push_receipts.c.digest == body_digest,
            )
        ).first()
        is not None
    )


def record_push(conn: Connection, connector_id: str, body_digest: str, window: int) -> None:
    now = utcnow()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(push_receipts)
        .values(connector_id=connector_id, digest=body_digest, received_at=now)
        .on_conflict_do_nothing()
    )
    purge(conn, now - timedelta(seconds=2 * window))


def purge(conn: Connection, before: datetime) -> int:
    return conn.execute(delete(push_receipts).where(push_receipts.c.received_at < before)).rowcount
