"""Integrity rules the database enforces whatever the code above does, and the tables that
remember requests already answered (migration 0004 creates them).

- One live (pending or confirmed) booking per hold, one payment attempt in flight (initiated or
  in progress) per booking: concurrent checkouts of one hold cannot make a second booking or a
  second charge.
- No negative money: amounts, totals and refunds are CHECKed.
- `idempotency_keys`: a client's `Idempotency-Key` with the request's fingerprint and the answer
  given, so a repeat is answered the same and a different body under the same key is refused.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, String, Table, text

from store.tables import bookings, holds, metadata, payments
from store.types import Json, UtcDateTime

Index(
    "uq_bookings_live_hold",
    bookings.c.hold_id,
    unique=True,
    sqlite_where=text("status IN ('pending', 'confirmed')"),
    postgresql_where=text("status IN ('pending', 'confirmed')"),
)
# The stuck sweep's read: pending bookings by age.
Index("ix_bookings_status_created", bookings.c.status, bookings.c.created_at)
Index(
    "uq_payments_in_flight",
    payments.c.booking_id,
    unique=True,
    sqlite_where=text("status IN ('initiated', 'in_progress')"),
    postgresql_where=text("status IN ('initiated', 'in_progress')"),
)
Index("ix_payments_status_updated", payments.c.status, payments.c.updated_at)
# The per-customer hold limits' read.
Index("ix_holds_customer_status", holds.c.customer_id, holds.c.status)

payments.append_constraint(CheckConstraint("amount >= 0", name="amount_not_negative"))
bookings.append_constraint(CheckConstraint("total_amount >= 0", name="total_not_negative"))

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # Whose key: the authenticated subject (keys of two customers never meet).
    Column("owner", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("operation", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    # Null while the first request is still being answered.
    Column("status_code", Integer),
    Column("response", Json),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_idempotency_keys_created", "created_at"),
)

# The last sequence applied per show from each POS (migration 0007): a delta carrying an older
# sequence (a late or replayed push, a re-read feed page) never rolls a seat back.
pos_sequences = Table(
    "pos_sequences",
    metadata,
    Column("connector_id", String(64), primary_key=True),
    Column("show_id", String(64), primary_key=True),
    Column("sequence", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Pushes already applied, by a digest of their body (migration 0007): the same push sent again
# inside the signature window is refused. Rows older than the window are purged.
push_receipts = Table(
    "push_receipts",
    metadata,
    Column("connector_id", String(64), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_push_receipts_received", "received_at"),
)
