"""Analytics: hourly rollup per theatre (the hour of day over long ranges)

Revision ID: 0005_analytics_hourly_theatre
Revises: 0004_checkout_integrity
Create Date: 2026-12-04 17:58:03.202520
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_analytics_hourly_theatre"
down_revision = "0004_checkout_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "analytics_hourly_theatre",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("show_views", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("seat_map_views", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("held_seats", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_released", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_expired", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_abandoned", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("checkouts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("bookings", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failed_payments", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failed_sales", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancellations", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancelled_tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancel_refunds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancel_fees", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("refunds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("refunded", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "hour", "theatre_id", name=op.f("pk_analytics_hourly_theatre")
        ),
    )
    with op.batch_alter_table("analytics_hourly_theatre", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_hourly_theatre_theatre_day", ["theatre_id", "day"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("analytics_hourly_theatre", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_hourly_theatre_theatre_day")

    op.drop_table("analytics_hourly_theatre")
