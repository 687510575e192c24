"""Analytics dashboard benchmark: a partner with 50 screens and a year of shows, on PostgreSQL.

    .venv/bin/python bench/analytics.py                     # 10 theatres x 5 screens, 365 days
    .venv/bin/python bench/analytics.py --days 60           # a quicker run

Generates, in a throwaway database (dropped afterwards unless --keep), the catalog (theatres,
screens, layouts, 40 movies, 5 shows per screen and day) and the analytics aggregates such a
year of sales leaves behind (per show, per day, per hour, per month, per theatre and day,
booking pace, reasons, active customers, preference trends), then times each dashboard query
the partner portal sends, as the API runs it (`analytics.queries` with the partner's scope),
and prints the median, the 95th percentile and the worst of --repeat runs. The portal's
dashboard asks seven at once for the range it shows (summary, revenue per day, per movie and
per screen, the heat map of shows, booking pace, reasons); they are timed for a year, for a
year of one theatre (the theatre's own dashboard) and for shorter ranges. The aggregates are
generated in bulk with SQL rather than replayed event by event: the benchmark measures reading
them, which is what a dashboard waits for (tests/analytics checks that the coarser tables equal
the finer ones).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, text  # noqa: E402

from store.tables_analytics import ROLLUP_COUNTERS, SHOW_COUNTERS  # noqa: E402

SCREENS_PER_THEATRE = 5
SHOWS_PER_DAY = 5
MOVIES = 40
CUSTOMERS_PER_THEATRE_DAY = 150


def _exec(engine: Engine, label: str, sql: str, **params: Any) -> None:
    t0 = time.perf_counter()
    rows = 0
    with engine.begin() as conn:
        for statement in sql.split(";\n"):
            names = {k: v for k, v in params.items() if f":{k}" in statement}
            rows += conn.execute(text(statement), names).rowcount
    print(f"  {label:<28} {rows:>10,} rows  {time.perf_counter() - t0:6.1f} s", flush=True)


def generate(engine: Engine, *, theatres: int, first: date, days: int) -> None:
    screens = theatres * SCREENS_PER_THEATRE
    last = first + timedelta(days=days - 1)
    p = {"theatres": theatres, "screens": screens, "first": first, "last": last}
    _exec(
        engine,
        "partner, theatres",
        """
        INSERT INTO partners (id, name, created_at) VALUES ('prt_bench', 'Bench Cinemas', now());
        INSERT INTO theatres (id, name, city, country, timezone, currency, default_language,
            business_day_cutover_hour, partner_id, rules, updated_at)
        SELECT 'thr_' || t, 'Theatre ' || t, (ARRAY['Chennai','Mumbai','Pune','Delhi'])[t % 4 + 1],
            'IN', 'Asia/Kolkata', 'INR', 'ta', 4, 'prt_bench', '{}'::jsonb, now()
        FROM generate_series(0, :theatres - 1) t
        """,
        **p,
    )
    _exec(
        engine,
        "screens, layouts, movies",
        """
        INSERT INTO screens (id, theatre_id, name, formats, layout_id, updated_at)
        SELECT 'scr_' || s, 'thr_' || (s / 5), 'Screen ' || s, '["2D"]'::jsonb, 'lay_' || s, now()
        FROM generate_series(0, :screens - 1) s;
        INSERT INTO seat_layouts (id, screen_id, version, seat_count, body, updated_at)
        SELECT 'lay_' || s, 'scr_' || s, 1, 150 + (s % 5) * 25, '{}'::jsonb, now()
        FROM generate_series(0, :screens - 1) s;
        INSERT INTO movies (id, original_language, runtime_minutes, genres, updated_at)
        SELECT 'mov_' || m, (ARRAY['ta','hi','en','te'])[m % 4 + 1], 130,
            jsonb_build_array((ARRAY['Action','Drama','Comedy','Thriller','Romance'])[m % 5 + 1]),
            now()
        FROM generate_series(0, 39) m
        """,
        **p,
    )
    _exec(
        engine,
        "shows",
        """
        INSERT INTO shows (id, movie_id, theatre_id, screen_id, layout_id, start_at, end_at,
            business_date, language, format, ticket_types, sales_channels, sales_cutoff_minutes,
            status, updated_at)
        SELECT 'shw_' || s || '_' || to_char(d, 'YYYYMMDD') || '_' || k,
            'mov_' || ((s + k + (d - :first) / 7) % 40),
            'thr_' || (s / 5), 'scr_' || s, 'lay_' || s,
            ((d + make_interval(hours => 10 + 3 * k))::timestamp AT TIME ZONE 'Asia/Kolkata'),
            ((d + make_interval(hours => 12 + 3 * k, mins => 40))::timestamp
                AT TIME ZONE 'Asia/Kolkata'),
            d, (ARRAY['ta','hi','en','te'])[(s + k + (d - :first) / 7) % 4 + 1], '2D',
            '[]'::jsonb, '["online"]'::jsonb, 15, 'scheduled', now()
        FROM generate_series(0, :screens - 1) s,
             generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') g(dt),
             LATERAL (SELECT CAST(g.dt AS date) AS d) dd,
             generate_series(0, 4) k
        """,
        **p,
    )
    _exec(
        engine,
        "analytics_shows",
        """
        INSERT INTO analytics_shows (show_id, theatre_id, screen_id, movie_id, business_date,
            start_at, language, format, currency, show_views, seat_map_views, holds,
            holds_abandoned, checkouts, bookings, tickets, revenue, cancellations,
            cancelled_tickets, failed_sales, returned_seats, cancel_refunds, refunded)
        SELECT id, theatre_id, screen_id, movie_id, business_date, start_at, language, format,
            'INR', v * 6, v * 4, v, v / 4, v - v / 3, b, b * 2 + b / 2, (b * 2 + b / 2) * 18000,
            b / 20, b / 10, 0, 0, (b / 20) * 36000, (b / 20) * 36000
        FROM (SELECT *, abs(hashtext(id)) % 70 AS b, abs(hashtext(id)) % 70 + 10 AS v
              FROM shows) x
        """,
    )
    rollup_cols = """theatre_id, screen_id, movie_id, language, city, country, currency,
        show_views, seat_map_views, holds, held_seats, holds_released, holds_expired,
        holds_abandoned, checkouts, bookings, tickets, revenue, failed_payments, failed_sales,
        cancellations, cancelled_tickets, cancel_refunds, cancel_fees, refunds, refunded"""
    sums = """a.theatre_id, a.screen_id, a.movie_id, a.language, t.city, t.country, 'INR',
        sum(a.show_views) / {n}, sum(a.seat_map_views) / {n}, sum(a.holds) / {n},
        sum(a.holds) * 2 / {n}, sum(a.holds_abandoned) / {n}, 0, sum(a.holds_abandoned) / {n},
        sum(a.checkouts) / {n}, sum(a.bookings) / {n}, sum(a.tickets) / {n},
        sum(a.revenue) / {n}, sum(a.checkouts - a.bookings) / {n}, 0,
        sum(a.cancellations) / {n}, sum(a.cancelled_tickets) / {n},
        sum(a.cancel_refunds) / {n}, 0, sum(a.cancellations) / {n}, sum(a.refunded) / {n}"""
    _exec(
        engine,
        "analytics_daily",
        f"""
        INSERT INTO analytics_daily (day, {rollup_cols})
        SELECT a.business_date, {sums.format(n=1)}
        FROM analytics_shows a JOIN theatres t ON t.id = a.theatre_id
        GROUP BY a.business_date, a.theatre_id, a.screen_id, a.movie_id, a.language,
            t.city, t.country
        """,
    )
    _exec(
        engine,
        "analytics_hourly",
        f"""
        INSERT INTO analytics_hourly (day, hour, {rollup_cols})
        SELECT a.business_date, h, {sums.format(n=13)}
        FROM analytics_shows a JOIN theatres t ON t.id = a.theatre_id,
             generate_series(10, 22) h
        GROUP BY a.business_date, h, a.theatre_id, a.screen_id, a.movie_id, a.language,
            t.city, t.country
        """,
    )
    _exec(
        engine,
        "analytics_hourly_theatre",
        f"""
        INSERT INTO analytics_hourly_theatre (day, hour, theatre_id, city, country, currency,
            {", ".join(c for c in ROLLUP_COUNTERS)})
        SELECT day, hour, theatre_id, min(city), min(country), 'INR',
            {", ".join(f"sum({c})" for c in ROLLUP_COUNTERS)}
        FROM analytics_hourly GROUP BY day, hour, theatre_id
        """,
    )
    _exec(
        engine,
        "analytics_daily_theatre",
        f"""
        INSERT INTO analytics_daily_theatre (day, theatre_id, city, country, currency,
            {", ".join(ROLLUP_COUNTERS)})
        SELECT day, theatre_id, min(city), min(country), 'INR',
            {", ".join(f"sum({c})" for c in ROLLUP_COUNTERS)}
        FROM analytics_daily GROUP BY day, theatre_id
        """,
    )
    _exec(
        engine,
        "analytics_monthly",
        f"""
        INSERT INTO analytics_monthly (month, theatre_id, screen_id, movie_id, language, city,
            country, currency, {", ".join(ROLLUP_COUNTERS)})
        SELECT date_trunc('month', day)::date, theatre_id, screen_id, movie_id, language,
            min(city), min(country), 'INR', {", ".join(f"sum({c})" for c in ROLLUP_COUNTERS)}
        FROM analytics_daily GROUP BY 1, theatre_id, screen_id, movie_id, language
        """,
    )
    _exec(
        engine,
        "analytics_show_days",
        f"""
        INSERT INTO analytics_show_days (business_date, theatre_id, currency,
            {", ".join(SHOW_COUNTERS)})
        SELECT business_date, theatre_id, 'INR', {", ".join(f"sum({c})" for c in SHOW_COUNTERS)}
        FROM analytics_shows GROUP BY business_date, theatre_id
        """,
    )
    _exec(
        engine,
        "analytics_pace",
        """
        INSERT INTO analytics_pace (show_id, days_before, theatre_id, bookings, tickets)
        SELECT show_id, d, theatre_id, bookings / 7, tickets / 7
        FROM analytics_shows, generate_series(0, 6) d
        """,
    )
    _exec(
        engine,
        "analytics_pace_days",
        """
        INSERT INTO analytics_pace_days (business_date, theatre_id, days_before, bookings,
            tickets)
        SELECT s.business_date, s.theatre_id, p.days_before, sum(p.bookings), sum(p.tickets)
        FROM analytics_pace p JOIN analytics_shows s ON s.show_id = p.show_id
        GROUP BY 1, 2, 3
        """,
    )
    _exec(
        engine,
        "analytics_reasons",
        """
        INSERT INTO analytics_reasons (day, theatre_id, kind, reason, currency, count, amount)
        SELECT d, 'thr_' || t, k, r, 'INR', 5 + (t + k_i) % 7, 0
        FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') d,
             generate_series(0, :theatres - 1) t,
             (VALUES (1, 'payment_failed', 'card_declined'), (2, 'payment_failed', 'expired_card'),
                     (3, 'hold_released', 'customer'), (4, 'hold_released', 'expired'),
                     (5, 'refund', 'cancelled by customer')) v(k_i, k, r)
        """,
        **p,
    )
    _exec(
        engine,
        "analytics_customer_days",
        """
        INSERT INTO analytics_customer_days (day, theatre_id, customer_id)
        SELECT d, 'thr_' || t, 'cus_' || ((t * 7919 + c * 104729 + (d - :first) * 31) % 60000)
        FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') g(dt),
             LATERAL (SELECT CAST(g.dt AS date) AS d) dd,
             generate_series(0, :theatres - 1) t, generate_series(0, :per_day - 1) c
        ON CONFLICT DO NOTHING
        """,
        **p,
        per_day=CUSTOMERS_PER_THEATRE_DAY,
    )
    _exec(
        engine,
        "analytics_pref_trends",
        """
        INSERT INTO analytics_pref_trends (month, theatre_id, dimension, value, bookings, tickets)
        SELECT date_trunc('month', a.business_date)::date, a.theatre_id, 'language', a.language,
            sum(a.bookings), sum(a.tickets)
        FROM analytics_shows a GROUP BY 1, 2, 4
        """,
    )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float, int]:
    """Median, 95th percentile (nearest rank: the worst of fewer than 20 runs) and worst."""
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
        size = len(result) if hasattr(result, "__len__") else 1
    times.sort()
    p95 = times[math.ceil(0.95 * len(times)) - 1]
    return statistics.median(times), p95, times[-1], size


def dashboards(engine: Engine, today: date, first: date, last: date, repeat: int) -> list[float]:
    from analytics import queries as q
    from analytics.queries import Filters

    with engine.connect() as conn:
        scope = q.Scope(q.own_theatres(conn, "prt_bench"))
    week = Filters(date_from=today - timedelta(days=today.weekday()), date_to=today)
    week_ahead = Filters(date_from=today, date_to=today + timedelta(days=6))
    month = Filters(date_from=today - timedelta(days=29), date_to=today)
    year = Filters(date_from=first, date_to=last)
    day = Filters(date_from=today, date_to=today)
    one_screen = Filters(date_from=first, date_to=last, screen_id="scr_7")
    theatre_year = Filters(date_from=first, date_to=last, theatre_id="thr_3")
    # The portal's default range: the last week and the next.
    portal = Filters(date_from=today - timedelta(days=6), date_to=today + timedelta(days=7))
    cases: list[tuple[str, Callable[[Any], Any]]] = [
        ("summary today", lambda c: q.totals(c, scope, day)),
        ("summary this week", lambda c: q.totals(c, scope, week)),
        ("summary 30 days", lambda c: q.totals(c, scope, month)),
        ("summary year", lambda c: q.totals(c, scope, year)),
        ("revenue per day, 30 days", lambda c: q.breakdown(c, scope, month, "day")),
        ("revenue per day, year", lambda c: q.breakdown(c, scope, year, "day")),
        ("revenue per movie, year", lambda c: q.breakdown(c, scope, year, "movie")),
        ("revenue per screen, year", lambda c: q.breakdown(c, scope, year, "screen")),
        ("heat map: all shows, year", lambda c: q.show_occupancy(c, scope, year)),
        ("booking pace, year", lambda c: q.pace(c, scope, year)),
        ("failed payments etc., year", lambda c: q.reasons(c, scope, year)),
        ("one theatre: summary, year", lambda c: q.totals(c, scope, theatre_year)),
        ("one theatre: per day, year", lambda c: q.breakdown(c, scope, theatre_year, "day")),
        ("one theatre: per movie, year", lambda c: q.breakdown(c, scope, theatre_year, "movie")),
        ("one theatre: shows, year", lambda c: q.show_occupancy(c, scope, theatre_year)),
        ("one theatre: pace, year", lambda c: q.pace(c, scope, theatre_year)),
        ("heat map: shows, 2 weeks", lambda c: q.show_occupancy(c, scope, portal)),
        ("booking pace, 2 weeks", lambda c: q.pace(c, scope, portal)),
        ("per city, year", lambda c: q.breakdown(c, scope, year, "city")),
        ("by hour today", lambda c: q.breakdown(c, scope, day, "hour")),
        ("by hour of day, week", lambda c: q.breakdown(c, scope, week, "hour_of_day")),
        ("by hour of day, year", lambda c: q.breakdown(c, scope, year, "hour_of_day")),
        ("heat map: shows next 7 days", lambda c: q.show_occupancy(c, scope, week_ahead)),
        ("heat map: one screen, year", lambda c: q.show_occupancy(c, scope, one_screen)),
        ("booking pace, next 7 days", lambda c: q.pace(c, scope, week_ahead)),
        ("failed payments etc., 30 days", lambda c: q.reasons(c, scope, month)),
        ("active customers/day, 30 d", lambda c: q.active_customers_by_day(c, scope, month)),
        ("active customers, year", lambda c: q.active_customers(c, scope, year)),
        ("language trend, year", lambda c: q.preference_trends(c, scope, year, "language")),
    ]
    medians = []
    print(f"\n  {'dashboard query':<32} {'median':>9} {'p95':>9} {'worst':>9} {'rows':>7}")
    with engine.connect() as conn:
        for label, fn in cases:
            median, p95, worst, size = _time(lambda fn=fn: fn(conn), repeat)
            flag = "" if worst < 300 else "  > 300 ms"
            print(
                f"  {label:<32} {median:7.1f}ms {p95:7.1f}ms {worst:7.1f}ms {size:>7,}{flag}",
                flush=True,
            )
            medians.append(median)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theatres", type=int, default=10, help="5 screens each (default 10)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="an existing, empty, migrated PostgreSQL database")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    args = parser.parse_args()

    from marquee import devservers
    from store.engine import make_engine
    from store.migrate import upgrade

    server = None
    url = args.url
    if url is None:
        server = devservers.postgres_server()
        url = devservers.create_database(server, prefix="marquee_bench_analytics")
    upgrade(url)
    engine = make_engine(url)
    today = date.today()
    first = today - timedelta(days=args.days - 30)  # most of the year behind, a month ahead
    last = first + timedelta(days=args.days - 1)
    screens = args.theatres * SCREENS_PER_THEATRE
    print(
        f"generating {args.theatres} theatres, {screens} screens, {args.days} days "
        f"({screens * SHOWS_PER_DAY * args.days:,} shows) ..."
    )
    try:
        generate(engine, theatres=args.theatres, first=first, days=args.days)
        medians = dashboards(engine, today, first, last, args.repeat)
        print(f"\n  slowest median {max(medians):.1f} ms over {len(medians)} dashboard queries")
    finally:
        engine.dispose()
        if server is not None and not args.keep:
            devservers.drop_database(server, url)
        elif args.keep:
            print(f"kept {url}")


if __name__ == "__main__":
    main()
