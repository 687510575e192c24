"""A fact's increments to the aggregate tables, summed over a batch and applied as upserts.

Every aggregate is a sum (or, for active customers, a set; for the slowest search, a maximum),
so the result does not depend on the order facts arrive in: the incremental path and a rebuild
from scratch give the same tables. Increments of one batch are summed in memory first, so a
batch of many seat-map views of one show is one upsert, not many.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Insert, Table, func
from sqlalchemy.dialects import postgresql, sqlite

from analytics.facts import ABANDONED_RELEASE_REASONS, Fact, local_time
from store.tables_analytics import (
    ROLLUP_COUNTERS,
    SHOW_COUNTERS,
    analytics_customer_days,
    analytics_customer_prefs,
    analytics_daily,
    analytics_daily_theatre,
    analytics_hourly,
    analytics_hourly_theatre,
    analytics_monthly,
    analytics_pace,
    analytics_pace_days,
    analytics_pref_trends,
    analytics_reasons,
    analytics_searches,
    analytics_show_days,
    analytics_shows,
)

COUNTERS: dict[str, tuple[str, ...]] = {
    analytics_hourly.name: ROLLUP_COUNTERS,
    analytics_hourly_theatre.name: ROLLUP_COUNTERS,
    analytics_daily.name: ROLLUP_COUNTERS,
    analytics_daily_theatre.name: ROLLUP_COUNTERS,
    analytics_monthly.name: ROLLUP_COUNTERS,
    analytics_shows.name: SHOW_COUNTERS,
    analytics_show_days.name: SHOW_COUNTERS,
    analytics_pace.name: ("bookings", "tickets"),
    analytics_pace_days.name: ("bookings", "tickets"),
    analytics_reasons.name: ("count", "amount"),
    analytics_customer_prefs.name: ("bookings", "tickets"),
    analytics_pref_trends.name: ("bookings", "tickets"),
    analytics_searches.name: ("searches", "total_us", "max_us"),
}
MAXIMA = {"max_us"}
TABLES = {
    t.name: t
    for t in (
        analytics_hourly,
        analytics_hourly_theatre,
        analytics_daily,
        analytics_daily_theatre,
        analytics_monthly,
        analytics_shows,
        analytics_show_days,
        analytics_pace,
        analytics_pace_days,
        analytics_reasons,
        analytics_customer_days,
        analytics_customer_prefs,
        analytics_pref_trends,
        analytics_searches,
    )
}

# Search latency histogram: upper bounds in milliseconds.
SEARCH_BUCKETS_MS = (10, 25, 50, 100, 250, 500, 1000)


def search_bucket(latency_ms: float) -> str:
    for bound in SEARCH_BUCKETS_MS:
        if latency_ms <= bound:
            return str(bound)
    return "+Inf"


def time_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 21:
        return "evening"
    return "night"


class Batch:
    """Increments keyed by (table, primary key), summed until `apply`."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def add(
        self,
        table: Table,
        key: dict[str, Any],
        inc: dict[str, int] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        ident = (table.name, tuple(key.values()))
        row = self._rows.get(ident)
        if row is None:
            row = {**key, **(attrs or {})}
            for name in COUNTERS.get(table.name, ()):
                row[name] = 0
            self._rows[ident] = row
        for name, value in (inc or {}).items():
            row[name] = max(row[name], value) if name in MAXIMA else row[name] + value

    def apply(self, conn: Connection) -> int:
        """Upsert every row: counters add up (maxima take the larger), key-only rows (sets) are
        inserted once. Returns the number of rows written."""
        by_table: dict[str, list[dict[str, Any]]] = {}
        for (name, _), row in self._rows.items():
            by_table.setdefault(name, []).append(row)
        for name in sorted(by_table):  # a fixed order: concurrent batches lock rows alike
            keys = _KEYS[name]
            rows = sorted(by_table[name], key=lambda r: tuple(str(r[k]) for k in keys))
            conn.execute(_upsert(name, conn.dialect.name), rows)
        written = len(self._rows)
        self._rows.clear()
        return written


_KEYS = {name: [c.name for c in table.primary_key.columns] for name, table in TABLES.items()}


@functools.cache
def _upsert(name: str, dialect_name: str) -> Insert:
    """The upsert of one aggregate table, built once per dialect: the outbox relay applies one
    per event, and building it again each time was a third of the analytics consumer's cost."""
    table = TABLES[name]
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    counters = COUNTERS.get(name, ())
    if not counters:
        return stmt.on_conflict_do_nothing(index_elements=_KEYS[name])
    biggest = func.greatest if dialect_name == "postgresql" else func.max
    return stmt.on_conflict_do_update(
        index_elements=_KEYS[name],
        set_={
            c: (
                biggest(table.c[c], stmt.excluded[c])
                if c in MAXIMA
                else table.c[c] + stmt.excluded[c]
            )
            for c in counters
        },
    )


def _rollups(batch: Batch, fact: Fact, inc: dict[str, int]) -> None:
    """The same increments at every grain: hour, day and month per screen, movie and language;
    hour and day per theatre. Each coarser table is the sum of a finer one."""
    s = fact.show
    assert s is not None
    dims = {
        "theatre_id": s.theatre_id,
        "screen_id": s.screen_id,
        "movie_id": s.movie_id,
        "language": s.language,
    }
    attrs = {"city": s.city, "country": s.country, "currency": s.currency}
    month = date(fact.day.year, fact.day.month, 1)
    batch.add(analytics_hourly, {"day": fact.day, "hour": fact.hour, **dims}, inc, attrs)
    batch.add(analytics_daily, {"day": fact.day, **dims}, inc, attrs)
    batch.add(analytics_monthly, {"month": month, **dims}, inc, attrs)
    theatre = {"theatre_id": s.theatre_id}
    batch.add(analytics_hourly_theatre, {"day": fact.day, "hour": fact.hour, **theatre}, inc, attrs)
    batch.add(analytics_daily_theatre, {"day": fact.day, **theatre}, inc, attrs)


def _show_attrs(fact: Fact) -> dict[str, Any]:
    s = fact.show
    assert s is not None
    return {
        "theatre_id": s.theatre_id,
        "screen_id": s.screen_id,
        "movie_id": s.movie_id,
        "business_date": s.business_date,
        "start_at": s.start_at,
        "language": s.language,
        "format": s.format,
        "currency": s.currency,
    }


def _counts(fact: Fact) -> tuple[dict[str, int], dict[str, int]]:
    """(rollup increments, per-show increments) of one fact."""
    n = fact.quantity or 0
    amount = fact.amount or 0
    match fact.kind:
        case "show_view":
            return {"show_views": 1}, {"show_views": 1}
        case "seat_map_view":
            return {"seat_map_views": 1}, {"seat_map_views": 1}
        case "HoldPlaced":
            return {"holds": 1, "held_seats": n}, {"holds": 1}
        case "HoldReleased":
            abandoned = int(fact.reason in ABANDONED_RELEASE_REASONS)
            return (
                {"holds_released": 1, "holds_abandoned": abandoned},
                {"holds_abandoned": abandoned},
            )
        case "HoldExpired":
            return {"holds_expired": 1, "holds_abandoned": 1}, {"holds_abandoned": 1}
        case "BookingCreated":
            return {"checkouts": 1}, {"checkouts": 1}
        case "BookingConfirmed":
            inc = {"bookings": 1, "tickets": n, "revenue": amount}
            return inc, dict(inc)
        case "BookingCancelled":
            fee = int(fact.extra.get("fee", 0))
            return (
                {
                    "cancellations": 1,
                    "cancelled_tickets": n,
                    "cancel_refunds": amount,
                    "cancel_fees": fee,
                },
                {"cancellations": 1, "cancelled_tickets": n, "cancel_refunds": amount},
            )
        case "SaleCommitFailed":
            return {"failed_sales": 1}, {"failed_sales": 1, "returned_seats": n}
        case "PaymentFailed":
            return {"failed_payments": 1}, {}
        case "RefundIssued":
            return {"refunds": 1, "refunded": amount}, {"refunded": amount}
    return {}, {}


REASON_KINDS = {
    "HoldReleased": "hold_released",
    "HoldExpired": "hold_released",
    "BookingFailed": "booking_failed",
    "SaleCommitFailed": "sale_commit_failed",
    "PaymentFailed": "payment_failed",
    "RefundIssued": "refund",
    "BookingCancelled": "cancellation",
}


def add_fact(batch: Batch, fact: Fact) -> None:
    """Add one fact's increments to the batch."""
    if fact.kind == "search":
        us = round((fact.latency_ms or 0.0) * 1000)
        batch.add(
            analytics_searches,
            {
                "day": fact.day,
                "hour": fact.hour,
                "city": fact.city or "",
                "bucket": search_bucket(fact.latency_ms or 0.0),
            },
            {"searches": 1, "total_us": us, "max_us": us},
        )
        return
    s = fact.show
    if s is None:
        return  # an event about a show we cannot find: kept as a fact, counted nowhere
    rollup, per_show = _counts(fact)
    if rollup:
        _rollups(batch, fact, rollup)
    if per_show:
        batch.add(analytics_shows, {"show_id": s.show_id}, per_show, _show_attrs(fact))
        batch.add(
            analytics_show_days,
            {"business_date": s.business_date, "theatre_id": s.theatre_id},
            per_show,
            {"currency": s.currency},
        )
    if fact.kind in REASON_KINDS:
        amount = fact.amount if fact.kind in ("RefundIssued", "BookingCancelled") else 0
        reason = fact.reason or ("customer" if fact.kind == "BookingCancelled" else "")
        batch.add(
            analytics_reasons,
            {
                "day": fact.day,
                "theatre_id": s.theatre_id,
                "kind": REASON_KINDS[fact.kind],
                "reason": reason[:200],
                "currency": fact.currency or s.currency,
            },
            {"count": 1, "amount": amount or 0},
        )
    if fact.customer_id and fact.kind in ("HoldPlaced", "BookingCreated", "BookingConfirmed"):
        batch.add(
            analytics_customer_days,
            {"day": fact.day, "theatre_id": s.theatre_id, "customer_id": fact.customer_id},
        )
    if fact.kind == "BookingConfirmed":
        _pace(batch, fact)
        _preferences(batch, fact)


def _pace(batch: Batch, fact: Fact) -> None:
    s = fact.show
    assert s is not None
    days_before = max(0, int((s.start_at - fact.occurred_at) // timedelta(days=1)))
    inc = {"bookings": 1, "tickets": fact.quantity or 0}
    batch.add(
        analytics_pace,
        {"show_id": s.show_id, "days_before": days_before},
        inc,
        {"theatre_id": s.theatre_id},
    )
    batch.add(
        analytics_pace_days,
        {"business_date": s.business_date, "theatre_id": s.theatre_id, "days_before": days_before},
        inc,
    )


def preference_values(fact: Fact) -> Iterable[tuple[str, str]]:
    s = fact.show
    assert s is not None
    yield "language", s.language
    yield "format", s.format
    for genre in s.genres:
        yield "genre", genre[:50]
    yield "time_of_day", time_of_day(local_time(s.start_at, s).hour)


def _preferences(batch: Batch, fact: Fact) -> None:
    s = fact.show
    assert s is not None
    inc = {"bookings": 1, "tickets": fact.quantity or 0}
    month = date(fact.day.year, fact.day.month, 1)
    for dimension, value in preference_values(fact):
        if fact.customer_id:
            batch.add(
                analytics_customer_prefs,
                {"customer_id": fact.customer_id, "dimension": dimension, "value": value},
                inc,
            )
        batch.add(
            analytics_pref_trends,
            {"month": month, "theatre_id": s.theatre_id, "dimension": dimension, "value": value},
            inc,
        )
