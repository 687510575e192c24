"""Checkout integrity: one live booking per hold, one payment attempt in flight per booking,
no negative money, per-customer hold reads, stuck-sweep reads, idempotency keys

Revision ID: 0004_checkout_integrity
Revises: 0003_analytics
Create Date: 2026-12-04 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0004_checkout_integrity"
down_revision = "0003_analytics"
branch_labels = None
depends_on = None

LIVE_BOOKING = sa.text("status IN ('pending', 'confirmed')")
IN_FLIGHT = sa.text("status IN ('initiated', 'in_progress')")


def upgrade() -> None:
    # Constraints first: on SQLite a batch rebuilds the table.
    with op.batch_alter_table("payments") as batch:
        batch.create_check_constraint(op.f("ck_payments_amount_not_negative"), "amount >= 0")
    with op.batch_alter_table("bookings") as batch:
        batch.create_check_constraint(op.f("ck_bookings_total_not_negative"), "total_amount >= 0")
    op.create_index(
        "uq_bookings_live_hold",
        "bookings",
        ["hold_id"],
        unique=True,
        sqlite_where=LIVE_BOOKING,
        postgresql_where=LIVE_BOOKING,
    )
    op.create_index("ix_bookings_status_created", "bookings", ["status", "created_at"])
    op.create_index(
        "uq_payments_in_flight",
        "payments",
        ["booking_id"],
        unique=True,
        sqlite_where=IN_FLIGHT,
        postgresql_where=IN_FLIGHT,
    )
    op.create_index("ix_payments_status_updated", "payments", ["status", "updated_at"])
    op.create_index("ix_holds_customer_status", "holds", ["customer_id", "status"])
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("operation", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "response",
            sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_created", "idempotency_keys", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_constraint(op.f("ck_bookings_total_not_negative"), type_="check")
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("ck_payments_amount_not_negative"), type_="check")
    op.drop_index("ix_holds_customer_status", table_name="holds")
    op.drop_index("ix_payments_status_updated", table_name="payments")
    op.drop_index("uq_payments_in_flight", table_name="payments")
    op.drop_index("ix_bookings_status_created", table_name="bookings")
    op.drop_index("uq_bookings_live_hold", table_name="bookings")
