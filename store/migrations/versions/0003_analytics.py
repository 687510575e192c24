"""Analytics store: the ingested fact log and its incremental aggregates

Revision ID: 0003_analytics
Revises: 0002_api_auth
Create Date: 2026-12-04 17:45:47.404836
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.types

revision = "0003_analytics"
down_revision = "0002_api_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "analytics_customer_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "theatre_id", "customer_id", name=op.f("pk_analytics_customer_days")
        ),
    )
    with op.batch_alter_table("analytics_customer_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_customer_days_theatre_day", ["theatre_id", "day"], unique=False
        )

    op.create_table(
        "analytics_customer_prefs",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=50), nullable=False),
        sa.Column("bookings", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "customer_id", "dimension", "value", name=op.f("pk_analytics_customer_prefs")
        ),
    )
    op.create_table(
        "analytics_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
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
            "day",
            "theatre_id",
            "screen_id",
            "movie_id",
            "language",
            name=op.f("pk_analytics_daily"),
        ),
    )
    with op.batch_alter_table("analytics_daily", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_daily_theatre_day", ["theatre_id", "day"], unique=False)

    op.create_table(
        "analytics_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=True),
        sa.Column("screen_id", sa.String(length=64), nullable=True),
        sa.Column("movie_id", sa.String(length=64), nullable=True),
        sa.Column("show_id", sa.String(length=64), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("booking_id", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_analytics_events")),
    )
    with op.batch_alter_table("analytics_events", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_events_day", ["day"], unique=False)
        batch_op.create_index(
            "ix_analytics_events_theatre_day", ["theatre_id", "day"], unique=False
        )

    op.create_table(
        "analytics_hourly",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
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
            "day",
            "hour",
            "theatre_id",
            "screen_id",
            "movie_id",
            "language",
            name=op.f("pk_analytics_hourly"),
        ),
    )
    with op.batch_alter_table("analytics_hourly", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_hourly_theatre_day", ["theatre_id", "day"], unique=False
        )

    op.create_table(
        "analytics_pace",
        sa.Column("show_id", sa.String(length=64), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("bookings", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("show_id", "days_before", name=op.f("pk_analytics_pace")),
    )
    op.create_table(
        "analytics_pref_trends",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=50), nullable=False),
        sa.Column("bookings", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "theatre_id", "dimension", "value", name=op.f("pk_analytics_pref_trends")
        ),
    )
    op.create_table(
        "analytics_reasons",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("amount", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "theatre_id", "kind", "reason", "currency", name=op.f("pk_analytics_reasons")
        ),
    )
    with op.batch_alter_table("analytics_reasons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_reasons_theatre_day", ["theatre_id", "day"], unique=False
        )

    op.create_table(
        "analytics_searches",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("searches", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("total_us", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("max_us", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "hour", "city", "bucket", name=op.f("pk_analytics_searches")
        ),
    )
    op.create_table(
        "analytics_shows",
        sa.Column("show_id", sa.String(length=64), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("start_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("show_views", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("seat_map_views", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_abandoned", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("checkouts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("bookings", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancellations", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancelled_tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failed_sales", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returned_seats", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancel_refunds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("refunded", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_analytics_shows")),
    )
    with op.batch_alter_table("analytics_shows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_shows_theatre_date", ["theatre_id", "business_date"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("analytics_shows", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_shows_theatre_date")

    op.drop_table("analytics_shows")
    op.drop_table("analytics_searches")
    with op.batch_alter_table("analytics_reasons", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_reasons_theatre_day")

    op.drop_table("analytics_reasons")
    op.drop_table("analytics_pref_trends")
    op.drop_table("analytics_pace")
    with op.batch_alter_table("analytics_hourly", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_hourly_theatre_day")

    op.drop_table("analytics_hourly")
    with op.batch_alter_table("analytics_events", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_events_theatre_day")
        batch_op.drop_index("ix_analytics_events_day")

    op.drop_table("analytics_events")
    with op.batch_alter_table("analytics_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_daily_theatre_day")

    op.drop_table("analytics_daily")
    op.drop_table("analytics_customer_prefs")
    with op.batch_alter_table("analytics_customer_days", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_customer_days_theatre_day")

    op.drop_table("analytics_customer_days")
