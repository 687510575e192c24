"""Analytics over long ranges: coarser rollups kept beside the existing aggregates (per month;
per theatre and day; the per-show counters and the booking pace per theatre and business date),
filled from the aggregates already there so an upgraded database answers at once

Revision ID: 0014_analytics_long_ranges
Revises: 0013_dead_letter_vars
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_analytics_long_ranges"
down_revision = "0013_dead_letter_vars"
branch_labels = None
depends_on = None

# The counters as they are at this revision (the application's lists may grow later).
ROLLUP_COUNTERS = (
    "show_views",
    "seat_map_views",
    "holds",
    "held_seats",
    "holds_released",
    "holds_expired",
    "holds_abandoned",
    "checkouts",
    "bookings",
    "tickets",
    "revenue",
    "failed_payments",
    "failed_sales",
    "cancellations",
    "cancelled_tickets",
    "cancel_refunds",
    "cancel_fees",
    "refunds",
    "refunded",
)
SHOW_COUNTERS = (
    "show_views",
    "seat_map_views",
    "holds",
    "holds_abandoned",
    "checkouts",
    "bookings",
    "tickets",
    "revenue",
    "cancellations",
    "cancelled_tickets",
    "failed_sales",
    "returned_seats",
    "cancel_refunds",
    "refunded",
)


def _counters(names: tuple[str, ...]) -> list[sa.Column]:
    return [sa.Column(n, sa.BigInteger(), server_default="0", nullable=False) for n in names]


def _place() -> list[sa.Column]:
    return [
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        *_place(),
        *_counters(ROLLUP_COUNTERS),
        sa.PrimaryKeyConstraint(
            "month",
            "theatre_id",
            "screen_id",
            "movie_id",
            "language",
            name=op.f("pk_analytics_monthly"),
        ),
    )
    op.create_index(
        "ix_analytics_monthly_theatre_month", "analytics_monthly", ["theatre_id", "month"]
    )
    op.create_table(
        "analytics_daily_theatre",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        *_place(),
        *_counters(ROLLUP_COUNTERS),
        sa.PrimaryKeyConstraint("day", "theatre_id", name=op.f("pk_analytics_daily_theatre")),
    )
    op.create_index(
        "ix_analytics_daily_theatre_theatre_day", "analytics_daily_theatre", ["theatre_id", "day"]
    )
    op.create_table(
        "analytics_show_days",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_counters(SHOW_COUNTERS),
        sa.PrimaryKeyConstraint("business_date", "theatre_id", name=op.f("pk_analytics_show_days")),
    )
    op.create_index(
        "ix_analytics_show_days_theatre_date",
        "analytics_show_days",
        ["theatre_id", "business_date"],
    )
    op.create_table(
        "analytics_pace_days",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        *_counters(("bookings", "tickets")),
        sa.PrimaryKeyConstraint(
            "business_date", "theatre_id", "days_before", name=op.f("pk_analytics_pace_days")
        ),
    )
    op.create_index(
        "ix_analytics_pace_days_theatre_date",
        "analytics_pace_days",
        ["theatre_id", "business_date"],
    )
    _fill()


def _fill() -> None:
    """Each new table is a sum of one already kept, so it is filled from that one."""
    month = (
        "CAST(date_trunc('month', day) AS date)"
        if op.get_bind().dialect.name == "postgresql"
        else "date(day, 'start of month')"
    )
    rollup = ", ".join(ROLLUP_COUNTERS)
    rollup_sums = ", ".join(f"sum({c})" for c in ROLLUP_COUNTERS)
    op.execute(
        f"""
        INSERT INTO analytics_monthly (month, theatre_id, screen_id, movie_id, language,
            city, country, currency, {rollup})
        SELECT {month}, theatre_id, screen_id, movie_id, language,
            min(city), min(country), min(currency), {rollup_sums}
        FROM analytics_daily
        GROUP BY {month}, theatre_id, screen_id, movie_id, language
        """
    )
    op.execute(
        f"""
        INSERT INTO analytics_daily_theatre (day, theatre_id, city, country, currency, {rollup})
        SELECT day, theatre_id, min(city), min(country), min(currency), {rollup_sums}
        FROM analytics_daily
        GROUP BY day, theatre_id
        """
    )
    shows = ", ".join(SHOW_COUNTERS)
    show_sums = ", ".join(f"sum({c})" for c in SHOW_COUNTERS)
    op.execute(
        f"""
        INSERT INTO analytics_show_days (business_date, theatre_id, currency, {shows})
        SELECT business_date, theatre_id, min(currency), {show_sums}
        FROM analytics_shows
        GROUP BY business_date, theatre_id
        """
    )
    op.execute(
        """
        INSERT INTO analytics_pace_days (business_date, theatre_id, days_before, bookings,
            tickets)
        SELECT s.business_date, s.theatre_id, p.days_before, sum(p.bookings), sum(p.tickets)
        FROM analytics_pace p JOIN analytics_shows s ON s.show_id = p.show_id
        GROUP BY s.business_date, s.theatre_id, p.days_before
        """
    )


def downgrade() -> None:
    for table in (
        "analytics_pace_days",
        "analytics_show_days",
        "analytics_daily_theatre",
        "analytics_monthly",
    ):
        op.drop_table(table)
