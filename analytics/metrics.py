"""Business metrics for Prometheus, next to the technical ones in the default registry.

Two kinds:
- counters incremented as facts are ingested by this process (rates for alerting: bookings per
  minute, failed payments, abandoned holds); each process counts what it ingested, Prometheus
  sums over processes;
- gauges read from the aggregate tables when /metrics is scraped (today's totals per currency,
  active customers today), the same for every process because they come from the database.
  They are cached for `ttl` seconds so a scrape storm does not become a query storm.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from analytics.facts import Fact
from store.tables_analytics import analytics_customer_days, analytics_daily

FACTS = Counter("marquee_analytics_facts_total", "Facts ingested by analytics, by kind", ["kind"])
BOOKINGS = Counter(
    "marquee_business_bookings_total", "Confirmed bookings, by city", ["city", "currency"]
)
TICKETS = Counter("marquee_business_tickets_total", "Tickets sold, by city", ["city"])
REVENUE = Counter(
    "marquee_business_revenue_minor_total",
    "Gross booking revenue in minor units, per currency (never summed across)",
    ["currency"],
)
FAILED_PAYMENTS = Counter("marquee_business_failed_payments_total", "Failed payments")
ABANDONED = Counter("marquee_business_holds_abandoned_total", "Holds released or expired unpaid")
SEARCH_SECONDS = Counter("marquee_business_search_seconds_total", "Time spent answering searches")
SEARCHES = Counter("marquee_business_searches_total", "Searches answered")


def observe(facts: Iterable[Fact]) -> None:
    for f in facts:
        FACTS.labels(f.kind).inc()
        city = f.show.city if f.show else ""
        if f.kind == "BookingConfirmed" and f.currency:
            BOOKINGS.labels(city, f.currency).inc()
            TICKETS.labels(city).inc(f.quantity or 0)
            REVENUE.labels(f.currency).inc(f.amount or 0)
        elif f.kind == "PaymentFailed":
            FAILED_PAYMENTS.inc()
        elif f.kind == "HoldExpired" or (f.kind == "HoldReleased" and f.reason == "customer"):
            ABANDONED.inc()
        elif f.kind == "search":
            SEARCHES.inc()
            SEARCH_SECONDS.inc((f.latency_ms or 0.0) / 1000)


class TodayCollector(Collector):
    """Totals for today (the theatres' local day equal to today's UTC date), from the daily
    aggregates."""

    def __init__(self, engine: Engine, ttl: float = 15.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[float, list[GaugeMetricFamily]] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > self.ttl:
                try:
                    self._cached = (time.monotonic(), self._read())
                except Exception:  # noqa: BLE001 - a scrape must not fail because the db is down
                    return iter(())
            return iter(self._cached[1])

    def _read(self) -> list[GaugeMetricFamily]:
        today = datetime.now(UTC).date()
        d = analytics_daily.c
        bookings = GaugeMetricFamily(
            "marquee_business_bookings_today",
            "Confirmed bookings today, by city and currency",
            labels=["city", "currency"],
        )
        revenue = GaugeMetricFamily(
            "marquee_business_revenue_today_minor",
            "Gross revenue today in minor units, per city and currency",
            labels=["city", "currency"],
        )
        failed = GaugeMetricFamily(
            "marquee_business_failed_payments_today", "Failed payments today", labels=["city"]
        )
        abandoned = GaugeMetricFamily(
            "marquee_business_holds_abandoned_today", "Abandoned holds today", labels=["city"]
        )
        active = GaugeMetricFamily(
            "marquee_business_active_customers_today", "Distinct customers active today"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    d.city,
                    d.currency,
                    func.sum(d.bookings),
                    func.sum(d.revenue),
                    func.sum(d.failed_payments),
                    func.sum(d.holds_abandoned),
                )
                .where(d.day == today)
                .group_by(d.city, d.currency)
            ).all()
            customers = conn.execute(
                select(func.count(func.distinct(analytics_customer_days.c.customer_id))).where(
                    analytics_customer_days.c.day == today
                )
            ).scalar_one()
        per_city_failed: dict[str, int] = {}
        per_city_abandoned: dict[str, int] = {}
        for city, currency, n, amount, fails, gone in rows:
            bookings.add_metric([city, currency], int(n or 0))
            revenue.add_metric([city, currency], int(amount or 0))
            per_city_failed[city] = per_city_failed.get(city, 0) + int(fails or 0)
            per_city_abandoned[city] = per_city_abandoned.get(city, 0) + int(gone or 0)
        for city, n in per_city_failed.items():
            failed.add_metric([city], n)
        for city, n in per_city_abandoned.items():
            abandoned.add_metric([city], n)
        active.add_metric([], int(customers))
        return [bookings, revenue, failed, abandoned, active]


_installed: TodayCollector | None = None
_install_lock = threading.Lock()


def install_collector(engine: Engine) -> TodayCollector:
    """Register the gauges on the default registry once per process; a later call (another app
    in the same process, as in tests) points them at the newer engine."""
    global _installed
    with _install_lock:
        if _installed is None:
            _installed = TodayCollector(engine)
            REGISTRY.register(_installed)
        else:
            _installed.engine = engine
            _installed._cached = None
        return _installed
