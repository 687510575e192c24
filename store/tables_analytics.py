"""The analytics store's tables, on the shared metadata (migrations 0003, 0005 and 0013 create
them).

`analytics_events` is the ingested fact log: one row per domain event the analytics consumer took
from the outbox and per tracked event (show page and seat-map views, searches), with the
dimensions it was counted under. Every other table is an aggregate kept up to date by adding the
fact's increments; the primary keys are the dimensions, so an aggregate row is the running total
of one combination. Key columns are never NULL ('' when not known): a NULL would never match
an ON CONFLICT target and would split one total into many rows.

Money columns are minor units in the row's `currency`; nothing here ever adds two currencies.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Float, Index, Integer, String, Table

from store.tables import metadata
from store.types import Json, UtcDateTime

_ID = 64


def _counter(name: str) -> Column:
    return Column(name, BigInteger, nullable=False, server_default="0")


analytics_events = Table(
    "analytics_events",
    metadata,
    Column("event_id", String(_ID), primary_key=True),
    Column("source", String(10), nullable=False),  # outbox | tracked
    Column("kind", String(40), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    # The theatre's local calendar day and hour (UTC when no theatre is known, e.g. a search).
    Column("day", Date, nullable=False),
    Column("hour", Integer, nullable=False),
    Column("theatre_id", String(_ID)),
    Column("screen_id", String(_ID)),
    Column("movie_id", String(_ID)),
    Column("show_id", String(_ID)),
    Column("city", String(100)),
    Column("country", String(2)),
    Column("language", String(35)),
    Column("format", String(20)),
    Column("customer_id", String(_ID)),
    Column("booking_id", String(_ID)),
    Column("currency", String(3)),
    Column("amount", BigInteger),
    Column("quantity", Integer),
    Column("reason", String(200)),
    Column("latency_ms", Float),
    Column("payload", Json, nullable=False),
    Index("ix_analytics_events_day", "day"),
    Index("ix_analytics_events_theatre_day", "theatre_id", "day"),
)

# Counters shared by the hourly and the daily rollups (and, minus a few, the per-show table).
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


def _rollup(name: str, *time_keys: Column) -> Table:
    period = time_keys[0].name
    return Table(
        name,
        metadata,
        *time_keys,
        Column("theatre_id", String(_ID), primary_key=True),
        Column("screen_id", String(_ID), primary_key=True),
        Column("movie_id", String(_ID), primary_key=True),
        Column("language", String(35), primary_key=True),
        Column("city", String(100), nullable=False),
        Column("country", String(2), nullable=False),
        Column("currency", String(3), nullable=False),
        *(_counter(c) for c in ROLLUP_COUNTERS),
        Index(f"ix_{name}_theatre_{period}", "theatre_id", period),
    )


analytics_hourly = _rollup(
    "analytics_hourly",
    Column("day", Date, primary_key=True),
    Column("hour", Integer, primary_key=True),
)
analytics_daily = _rollup("analytics_daily", Column("day", Date, primary_key=True))

# Long ranges read the coarsest rollup that answers them: whole calendar months (of the
# theatre's local days) from here, the days before the first and after the last whole month
# from `analytics_daily`. A year is ~12 rows per screen, movie and language instead of ~365.
analytics_monthly = _rollup(
    "analytics_monthly",
    Column("month", Date, primary_key=True),  # first day of the month
)

# Per theatre and day: totals and days over long ranges when no screen, movie or language is
# asked for (a year is 365 rows per theatre).
analytics_daily_theatre = Table(
    "analytics_daily_theatre",
    metadata,
    Column("day", Date, primary_key=True),
    Column("theatre_id", String(_ID), primary_key=True),
    Column("city", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    *(_counter(c) for c in ROLLUP_COUNTERS),
    Index("ix_analytics_daily_theatre_theatre_day", "theatre_id", "day"),
)

# The hour of day over long ranges: per theatre only (a year is ~4,700 rows per theatre here,
# against screens x movies x languages times that in `analytics_hourly`).
analytics_hourly_theatre = Table(
    "analytics_hourly_theatre",
    metadata,
    Column("day", Date, primary_key=True),
    Column("hour", Integer, primary_key=True),
    Column("theatre_id", String(_ID), primary_key=True),
    Column("city", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    *(_counter(c) for c in ROLLUP_COUNTERS),
    Index("ix_analytics_hourly_theatre_theatre_day", "theatre_id", "day"),
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
    "returned_seats",  # seats of failed sales: sold, then given back
    "cancel_refunds",
    "refunded",
)

analytics_shows = Table(
    "analytics_shows",
    metadata,
    Column("show_id", String(_ID), primary_key=True),
    Column("theatre_id", String(_ID), nullable=False),
    Column("screen_id", String(_ID), nullable=False),
    Column("movie_id", String(_ID), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("language", String(35), nullable=False),
    Column("format", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    *(_counter(c) for c in SHOW_COUNTERS),
    Index("ix_analytics_shows_theatre_date", "theatre_id", "business_date"),
)

# `analytics_shows` summed per theatre and business date: the seats sold of a year of shows
# without reading every show.
analytics_show_days = Table(
    "analytics_show_days",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("theatre_id", String(_ID), primary_key=True),
    Column("currency", String(3), nullable=False),
    *(_counter(c) for c in SHOW_COUNTERS),
    Index("ix_analytics_show_days_theatre_date", "theatre_id", "business_date"),
)

# Booking pace: tickets sold N whole days before the show starts.
analytics_pace = Table(
    "analytics_pace",
    metadata,
    Column("show_id", String(_ID), primary_key=True),
    Column("days_before", Integer, primary_key=True),
    Column("theatre_id", String(_ID), nullable=False),
    _counter("bookings"),
    _counter("tickets"),
)

# The booking pace summed per theatre and the shows' business date (a year of a big partner is
# ~100,000 shows, each with a row per day it sold on).
analytics_pace_days = Table(
    "analytics_pace_days",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("theatre_id", String(_ID), primary_key=True),
    Column("days_before", Integer, primary_key=True),
    _counter("bookings"),
    _counter("tickets"),
    Index("ix_analytics_pace_days_theatre_date", "theatre_id", "business_date"),
)

# Why things went wrong (or were undone): failed payments, released holds, refunds, failed sales.
analytics_reasons = Table(
    "analytics_reasons",
    metadata,
    Column("day", Date, primary_key=True),
    Column("theatre_id", String(_ID), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("reason", String(200), primary_key=True),
    Column("currency", String(3), primary_key=True),
    _counter("count"),
    _counter("amount"),
    Index("ix_analytics_reasons_theatre_day", "theatre_id", "day"),
)

# Active customers are a distinct count: the set itself is kept, one row per customer and day.
analytics_customer_days = Table(
    "analytics_customer_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("theatre_id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), primary_key=True),
    Index("ix_analytics_customer_days_theatre_day", "theatre_id", "day"),
)

# What a customer books: language, genre, format, time of day (confirmed bookings).
analytics_customer_prefs = Table(
    "analytics_customer_prefs",
    metadata,
    Column("customer_id", String(_ID), primary_key=True),
    Column("dimension", String(20), primary_key=True),
    Column("value", String(50), primary_key=True),
    _counter("bookings"),
    _counter("tickets"),
)

analytics_pref_trends = Table(
    "analytics_pref_trends",
    metadata,
    Column("month", Date, primary_key=True),  # first day of the month
    Column("theatre_id", String(_ID), primary_key=True),
    Column("dimension", String(20), primary_key=True),
    Column("value", String(50), primary_key=True),
    _counter("bookings"),
    _counter("tickets"),
)

# Search requests: count, total and maximum latency (microseconds), and a histogram bucket.
analytics_searches = Table(
    "analytics_searches",
    metadata,
    Column("day", Date, primary_key=True),
    Column("hour", Integer, primary_key=True),
    Column("city", String(100), primary_key=True),
    Column("bucket", String(8), primary_key=True),  # upper bound in ms, or "+Inf"
    _counter("searches"),
    _counter("total_us"),
    _counter("max_us"),
)
