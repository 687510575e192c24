"""The KPIs, read from the aggregate tables. Every query takes a `Scope` (which theatres the
caller may see: a partner's own, or all for staff) and `Filters` (dates are the theatres' local
days; city, theatre, screen, movie, language).

Money is always reported per currency: rows carry a `currency` and amounts are only summed
within one. Counts that mean the same in every currency (views, holds, tickets) are also given
as plain totals.

A year of a big partner is ~100,000 shows, so each answer reads the coarsest table that holds
it: per theatre and day unless a screen, movie or language is asked for, else whole months and
the days around them; seats sold and the booking pace per theatre and show date unless a
screen, movie, language or show is. Every coarser table is kept in the same transaction as the
finer ones (`analytics.aggregate`) and is their sum, so the numbers do not depend on which one
answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    func,
    or_,
    select,
    true,
    union_all,
)

from analytics.aggregate import SEARCH_BUCKETS_MS
from store.tables import movie_translations, movies, screens, seat_layouts, shows, theatres
from store.tables_analytics import (
    ROLLUP_COUNTERS,
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

MONEY = ("revenue", "cancel_refunds", "cancel_fees", "refunded")
COUNTS = tuple(c for c in ROLLUP_COUNTERS if c not in MONEY)
FUNNEL = (
    ("show_page", "show_views"),
    ("seat_map", "seat_map_views"),
    ("hold", "holds"),
    ("checkout", "checkouts"),
    ("paid", "bookings"),
)
BREAKDOWNS = ("city", "theatre", "screen", "movie", "language", "day", "hour", "hour_of_day")
PREFERENCE_DIMENSIONS = ("language", "genre", "format", "time_of_day")


@dataclass(frozen=True)
class Scope:
    """Theatres the caller may see; None means every theatre (staff)."""

    theatre_ids: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    city: str | None = None
    theatre_id: str | None = None
    screen_id: str | None = None
    movie_id: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _where(q: Select, table: Any, scope: Scope, f: Filters, day_col: str = "day") -> Select:
    c = table.c
    q = _scoped(q, table, scope, f)
    if f.date_from is not None:
        q = q.where(c[day_col] >= f.date_from)
    if f.date_to is not None:
        q = q.where(c[day_col] <= f.date_to)
    return q


def _scoped(q: Select, table: Any, scope: Scope, f: Filters) -> Select:
    """Every filter but the dates."""
    c = table.c
    if scope.theatre_ids is not None:
        q = q.where(c.theatre_id.in_(scope.theatre_ids))
    for name in ("theatre_id", "screen_id", "movie_id", "language", "city"):
        value = getattr(f, name)
        if value is not None and name in c:
            q = q.where(c[name] == value)
    return q


# Filters the per-theatre tables cannot answer: with one of them the finer table is read.
FINE_FILTERS = ("screen_id", "movie_id", "language")


def _fine(f: Filters) -> bool:
    return any(getattr(f, name) is not None for name in FINE_FILTERS)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _whole_months(f: Filters) -> tuple[date | None, date | None] | None:
    """The first and the last calendar month (their first days) lying wholly in the range; None
    on a side the range leaves open; None instead of the pair when no month fits in it."""
    first = f.date_from
    if first is not None and first.day != 1:
        first = _next_month(first)
    last = f.date_to
    if last is not None:
        ends_a_month = (last + timedelta(days=1)).day == 1
        last = _month_start(last if ends_a_month else _month_start(last) - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None
    return first, last


def _rollup_rows(scope: Scope, f: Filters, keys: tuple[str, ...]) -> Subquery:
    """The rollup rows (`keys`, currency and every counter) that add up to the range: the
    whole months from `analytics_monthly`, the days around them from `analytics_daily`. Each
    event is in exactly one of the two, so sums equal the daily table's alone."""
    columns = (*keys, "currency", *ROLLUP_COUNTERS)
    months = _whole_months(f)
    if months is None:
        daily_only = select(*(analytics_daily.c[n] for n in columns))
        return _where(daily_only, analytics_daily, scope, f).subquery()
    m, d = analytics_monthly.c, analytics_daily.c
    first, last = months
    monthly = _scoped(select(*(m[n] for n in columns)), analytics_monthly, scope, f)
    if first is not None:
        monthly = monthly.where(m.month >= first)
    if last is not None:
        monthly = monthly.where(m.month <= last)
    edges: list[ColumnElement[bool]] = []
    if f.date_from is not None and first is not None and f.date_from < first:
        edges.append(and_(d.day >= f.date_from, d.day < first))
    if f.date_to is not None and last is not None and f.date_to >= _next_month(last):
        edges.append(and_(d.day >= _next_month(last), d.day <= f.date_to))
    if not edges:
        return monthly.subquery()
    daily = _scoped(select(*(d[n] for n in columns)), analytics_daily, scope, f).where(or_(*edges))
    return union_all(monthly, daily).subquery()


def _int(value: Any) -> int:
    return int(value or 0)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- totals, funnel, occupancy ----------------------------------------------------------------
def funnel_steps(stages: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """The conversion funnel with every share below 100 %, or a note saying why not.

    The steps are counted on their own (page loads, holds, checkouts), so a later step can
    count more than an earlier one: the web app opens the seat map without the show page
    the API counts, holds are made through the API without a seat-map view, a declined card
    is paid again at a second checkout. Percentages are therefore taken of the funnel's top:
    the first step at least as large as every step after it. A step before the top has no
    percentage (it is not the entrance of every later step), and `from_previous` is given
    only where a step is at most its predecessor; each such gap carries a `note`.
    """
    counts = [n for _, n in stages]
    top = next(
        (i for i in range(len(counts)) if all(counts[i] >= later for later in counts[i + 1 :])),
        0,
    )
    out: list[dict[str, Any]] = []
    for i, (stage, n) in enumerate(stages):
        previous = counts[i - 1] if i else None
        note = None
        if i < top:
            bigger = next(stages[j] for j in range(i + 1, len(stages)) if counts[j] > n)
            note = (
                f"fewer than {bigger[0].replace('_', ' ')} ({bigger[1]}): not every customer "
                "passes this step as it is counted, so shares are taken of "
                f"{stages[top][0].replace('_', ' ')}"
            )
        elif previous is not None and n > previous:
            note = (
                f"more than {stages[i - 1][0].replace('_', ' ')} ({previous}): this step is "
                "also reached without the one before it, or more than once"
            )
        out.append(
            {
                "stage": stage,
                "count": n,
                "of_base": _ratio(n, counts[top]) if i >= top else None,
                "from_previous": _ratio(n, previous)
                if previous is not None and n <= previous
                else None,
                "base": stages[top][0],
                "note": note,
            }
        )
    return out


def _sums(scope: Scope, f: Filters, by: str | None) -> Select:
    """Every rollup counter summed per currency (and per `by`'s columns) over the range, from
    the coarsest table that answers it: per theatre and day unless a screen, movie or language
    is asked for; per hour for hours; otherwise whole months and the days around them."""
    names: tuple[str, ...] = {
        None: (),
        "city": ("city",),
        "theatre": ("theatre_id",),
        "screen": ("screen_id",),
        "movie": ("movie_id",),
        "language": ("language",),
        "day": ("day",),
        "hour": ("day", "hour"),
        "hour_of_day": ("hour",),
    }[by]
    source: Any
    if by in ("hour", "hour_of_day"):
        source = analytics_hourly if _fine(f) else analytics_hourly_theatre
    elif by in (None, "city", "theatre", "day") and not _fine(f):
        source = analytics_daily_theatre
    elif by == "day":
        source = analytics_daily
    else:
        source = _rollup_rows(scope, f, names)
    c = source.c
    keys = [c[n] for n in names]
    q = select(*keys, c.currency, *(func.sum(c[n]).label(n) for n in ROLLUP_COUNTERS))
    if not isinstance(source, Subquery):  # a subquery comes filtered
        q = _where(q, source, scope, f)
    return q.group_by(*keys, c.currency).order_by(*keys, c.currency)


def totals(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    rows = conn.execute(_sums(scope, f, None)).all()
    counts = {c: sum(_int(getattr(r, c)) for r in rows) for c in COUNTS}
    money = [
        {
            "currency": r.currency,
            **{m: _int(getattr(r, m)) for m in MONEY},
            "bookings": _int(r.bookings),
        }
        for r in sorted(rows, key=lambda r: r.currency)
    ]
    funnel = funnel_steps([(stage, counts[column]) for stage, column in FUNNEL])
    return {
        "counts": counts,
        "money": money,
        "funnel": funnel,
        "abandonment": {
            "holds": counts["holds"],
            "abandoned": counts["holds_abandoned"],
            "rate": _ratio(counts["holds_abandoned"], counts["holds"]),
        },
        # A distinct count scans one row per customer and day: over long ranges it is left to
        # /active-customers so the summary stays fast (None here means "ask there").
        "active_customers": active_customers(conn, scope, f) if _short(f) else None,
        "occupancy": occupancy_total(conn, scope, f),
    }


SUMMARY_DISTINCT_DAYS = 92


def _short(f: Filters) -> bool:
    return (
        f.date_from is not None
        and f.date_to is not None
        and (f.date_to - f.date_from).days < SUMMARY_DISTINCT_DAYS
    )


def active_customers(conn: Connection, scope: Scope, f: Filters) -> int:
    """Distinct customers who held or booked (kept per theatre and day: screen, movie and
    language filters do not narrow it)."""
    a = analytics_customer_days
    # DISTINCT in a sub-select (hashed) rather than count(DISTINCT ...) (always sorted).
    q = _where(select(a.c.customer_id).distinct(), a, scope, f)
    if f.city is not None:
        q = q.where(a.c.theatre_id.in_(select(theatres.c.id).where(theatres.c.city == f.city)))
    return _int(conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())


def _per_show(f: Filters) -> bool:
    """Whether the range must be read show by show (the per-date tables name no screen, movie,
    language or show)."""
    return _fine(f) or bool(f.extra.get("show_id"))


def occupancy_total(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    """Seats sold over seats offered, for the scheduled shows whose business date is in range.
    Two plain sums (seats offered from the shows' layouts, seats sold from the per-show
    aggregate, or its sum per theatre and date) rather than a join per show: a year of a big
    partner is ~100,000 shows. One statement."""
    s = shows.c
    offered = (
        select(
            func.count().label("shows"),
            func.coalesce(func.sum(seat_layouts.c.seat_count), 0).label("capacity"),
        )
        .select_from(shows)
        .join(seat_layouts, seat_layouts.c.id == s.layout_id)
        .where(s.status == "scheduled")
    )
    offered_q = _show_filters(offered, shows, scope, f).subquery()
    # The per-show aggregate carries the show's theatre, date, screen, movie and language, so
    # it is filtered on its own; a cancelled show's bookings are cancelled, so it adds 0.
    per_show = analytics_shows if _per_show(f) else analytics_show_days
    a = per_show.c
    sold = select(
        func.coalesce(func.sum(a.tickets - a.cancelled_tickets - a.returned_seats), 0).label("sold")
    )
    sold_q = _show_filters(sold, per_show, scope, f, id_column="show_id").subquery()
    row = conn.execute(
        select(offered_q.c.shows, offered_q.c.capacity, sold_q.c.sold).select_from(
            offered_q.join(sold_q, true())
        )
    ).one()
    shows_n, capacity, sold_n = _int(row.shows), _int(row.capacity), _int(row.sold)
    return {
        "shows": shows_n,
        "capacity": capacity,
        "sold": sold_n,
        "rate": _ratio(sold_n, capacity),
    }


def _show_filters(q: Select, table: Any, scope: Scope, f: Filters, id_column: str = "id") -> Select:
    c = table.c
    if scope.theatre_ids is not None:
        q = q.where(c.theatre_id.in_(scope.theatre_ids))
    if f.date_from is not None:
        q = q.where(c.business_date >= f.date_from)
    if f.date_to is not None:
        q = q.where(c.business_date <= f.date_to)
    for name in ("theatre_id", "screen_id", "movie_id", "language"):
        value = getattr(f, name)
        if value is not None:
            q = q.where(c[name] == value)
    if f.city is not None:
        q = q.where(c.theatre_id.in_(select(theatres.c.id).where(theatres.c.city == f.city)))
    if f.extra.get("show_id"):
        q = q.where(c[id_column] == f.extra["show_id"])
    return q


def show_occupancy(
    conn: Connection, scope: Scope, f: Filters, limit: int = 5000
) -> list[dict[str, Any]]:
    """Per show (the heat map): capacity, seats sold, occupancy, bookings, revenue. The first
    `limit` shows by start are picked from the shows alone and only they are joined to their
    theatre, screen, layout and counters: a year of a big partner is ~100,000 shows."""
    s = shows.c
    picked = (
        _show_filters(
            select(
                s.id,
                s.theatre_id,
                s.screen_id,
                s.movie_id,
                s.language,
                s.format,
                s.start_at,
                s.business_date,
                s.status,
                s.layout_id,
            ),
            shows,
            scope,
            f,
        )
        .order_by(s.start_at, s.id)
        .limit(limit)
        .subquery()
    )
    p, a = picked.c, analytics_shows.c
    q = (
        select(
            p.id,
            p.theatre_id,
            theatres.c.name,
            p.screen_id,
            func.coalesce(screens.c.name, p.screen_id),
            p.movie_id,
            p.language,
            p.format,
            p.start_at,
            theatres.c.timezone,
            p.business_date,
            p.status,
            seat_layouts.c.seat_count,
            func.coalesce(a.tickets, 0)
            - func.coalesce(a.cancelled_tickets, 0)
            - func.coalesce(a.returned_seats, 0),
            func.coalesce(a.bookings, 0),
            func.coalesce(a.revenue, 0),
            theatres.c.currency,
            func.coalesce(a.cancellations, 0),
            func.coalesce(a.show_views, 0),
            func.coalesce(a.seat_map_views, 0),
            func.coalesce(a.holds, 0),
            func.coalesce(a.checkouts, 0),
        )
        .select_from(picked)
        .join(theatres, theatres.c.id == p.theatre_id)
        .join(seat_layouts, seat_layouts.c.id == p.layout_id)
        .outerjoin(screens, screens.c.id == p.screen_id)
        .outerjoin(analytics_shows, a.show_id == p.id)
        .order_by(p.start_at, p.id)
    )
    rows = conn.execute(q).all()
    titles = movie_titles(conn, {r[5] for r in rows})
    # Unpacked by position and built in one pass: up to `limit` rows per request.
    return [
        {
            "show_id": show_id,
            "theatre_id": theatre_id,
            "theatre_name": theatre_name,
            "screen_id": screen_id,
            "screen_name": screen_name,
            "movie_id": movie_id,
            "movie_title": titles.get(movie_id, movie_id),
            "language": language,
            "format": format_,
            "start_at": start_at,
            "timezone": timezone,
            "business_date": business_date,
            "status": status,
            "capacity": int(capacity),
            "sold": int(sold),
            "occupancy": _ratio(int(sold), int(capacity)),
            "bookings": int(bookings),
            "revenue": {"amount": int(revenue), "currency": currency},
            "cancellations": int(cancellations),
            "funnel": {
                "show_page": int(show_views),
                "seat_map": int(seat_map_views),
                "hold": int(holds),
                "checkout": int(checkouts),
                "paid": int(bookings),
            },
        }
        for (
            show_id,
            theatre_id,
            theatre_name,
            screen_id,
            screen_name,
            movie_id,
            language,
            format_,
            start_at,
            timezone,
            business_date,
            status,
            capacity,
            sold,
            bookings,
            revenue,
            currency,
            cancellations,
            show_views,
            seat_map_views,
            holds,
            checkouts,
        ) in rows
    ]


# --- names -----------------------------------------------------------------------------------
TITLE_LANGUAGE = "en"


def theatre_names(conn: Connection, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    q = select(theatres.c.id, theatres.c.name).where(theatres.c.id.in_(sorted(ids)))
    return {i: n for i, n in conn.execute(q)}


def screen_names(conn: Connection, ids: set[str]) -> dict[str, tuple[str, str]]:
    """Screen id -> (screen name, theatre name): "Screen 1" alone names no screen in a chain."""
    if not ids:
        return {}
    q = (
        select(screens.c.id, screens.c.name, theatres.c.name)
        .join(theatres, theatres.c.id == screens.c.theatre_id)
        .where(screens.c.id.in_(sorted(ids)))
    )
    return {i: (n, t) for i, n, t in conn.execute(q)}


def movie_titles(conn: Connection, ids: set[str]) -> dict[str, str]:
    """One title per movie for staff screens: English, else the original language's, else the
    first stored."""
    if not ids:
        return {}
    q = (
        select(
            movie_translations.c.movie_id,
            movie_translations.c.language,
            movie_translations.c.title,
            movies.c.original_language,
        )
        .join(movies, movies.c.id == movie_translations.c.movie_id)
        .where(
            movie_translations.c.movie_id.in_(sorted(ids)), movie_translations.c.title.isnot(None)
        )
        .order_by(movie_translations.c.movie_id, movie_translations.c.language)
    )
    ranked: dict[str, tuple[int, str]] = {}
    for movie_id, language, title, original in conn.execute(q):
        rank = 0 if language == TITLE_LANGUAGE else 1 if language == original else 2
        if movie_id not in ranked or rank < ranked[movie_id][0]:
            ranked[movie_id] = (rank, title)
    return {m: t for m, (_, t) in ranked.items()}


def _named(conn: Connection, by: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows keyed by an id get the name people know it by (`name`; the id stays in `key`)."""
    keys = {r["key"] for r in rows}
    if by == "theatre":
        found = theatre_names(conn, keys)
        return [{**r, "name": found.get(r["key"], r["key"])} for r in rows]
    if by == "screen":
        screens_found = screen_names(conn, keys)
        return [
            {
                **r,
                "name": screens_found[r["key"]][0] if r["key"] in screens_found else r["key"],
                "theatre_name": screens_found[r["key"]][1] if r["key"] in screens_found else None,
            }
            for r in rows
        ]
    if by == "movie":
        titles = movie_titles(conn, keys)
        return [{**r, "name": titles.get(r["key"], r["key"])} for r in rows]
    return rows


# --- breakdowns -------------------------------------------------------------------------------
def breakdown(conn: Connection, scope: Scope, f: Filters, by: str) -> list[dict[str, Any]]:
    """Every rollup counter grouped by one dimension (and currency: money never mixes)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break down by {by!r}; one of {', '.join(BREAKDOWNS)}")
    out = []
    for r in conn.execute(_sums(scope, f, by)):
        if by == "hour":
            key = f"{r.day.isoformat()}T{r.hour:02d}"
        else:
            value = r[0]
            key = value.isoformat() if isinstance(value, date) else str(value)
        out.append(
            {
                "key": key,
                "currency": r.currency,
                **{n: _int(getattr(r, n)) for n in ROLLUP_COUNTERS},
            }
        )
    return _named(conn, by, out)


def reasons(
    conn: Connection, scope: Scope, f: Filters, kind: str | None = None
) -> list[dict[str, Any]]:
    """Failed payments, released holds, refunds, failed sales... by reason (and currency)."""
    r = analytics_reasons.c
    q = select(r.kind, r.reason, r.currency, func.sum(r.count), func.sum(r.amount))
    q = _where(q, analytics_reasons, scope, f)
    if kind is not None:
        q = q.where(r.kind == kind)
    q = q.group_by(r.kind, r.reason, r.currency).order_by(r.kind, r.reason, r.currency)
    return [
        {"kind": k, "reason": why, "currency": cur, "count": _int(n), "amount": _int(amount)}
        for k, why, cur, n, amount in conn.execute(q)
    ]


def pace(conn: Connection, scope: Scope, f: Filters) -> list[dict[str, Any]]:
    """Bookings and tickets by whole days before the show, for the shows in range (or one):
    summed per theatre and business date unless a screen, movie, language or show is asked
    for."""
    if _per_show(f):
        p = analytics_pace.c
        picked = _show_filters(select(shows.c.id), shows, scope, f)
        q = select(p.days_before, func.sum(p.bookings), func.sum(p.tickets)).where(
            p.show_id.in_(picked)
        )
    else:
        p = analytics_pace_days.c
        q = _show_filters(
            select(p.days_before, func.sum(p.bookings), func.sum(p.tickets)),
            analytics_pace_days,
            scope,
            f,
        )
    q = q.group_by(p.days_before).order_by(p.days_before.desc())
    out, running = [], 0
    for days_before, bookings, tickets in conn.execute(q):
        running += _int(tickets)
        out.append(
            {
                "days_before": days_before,
                "bookings": _int(bookings),
                "tickets": _int(tickets),
                "cumulative_tickets": running,
            }
        )
    return out


def active_customers_by_day(conn: Connection, scope: Scope, f: Filters) -> list[dict[str, Any]]:
    a = analytics_customer_days.c
    q = select(a.day, func.count(func.distinct(a.customer_id)))
    q = _where(q, analytics_customer_days, scope, f).group_by(a.day).order_by(a.day)
    return [{"day": day, "active_customers": _int(n)} for day, n in conn.execute(q)]


# --- searches and preferences ---------------------------------------------------------------
def searches(conn: Connection, f: Filters) -> dict[str, Any]:
    """Search volume and latency (UTC days; searches name no theatre). Percentiles are bucket
    upper bounds: the smallest bound under which that share of searches fell."""
    s = analytics_searches.c
    q = select(s.bucket, func.sum(s.searches), func.sum(s.total_us), func.max(s.max_us))
    if f.date_from is not None:
        q = q.where(s.day >= f.date_from)
    if f.date_to is not None:
        q = q.where(s.day <= f.date_to)
    if f.city is not None:
        q = q.where(s.city == f.city)
    rows = {b: (_int(n), _int(t), _int(m)) for b, n, t, m in conn.execute(q.group_by(s.bucket))}
    bounds = [str(b) for b in SEARCH_BUCKETS_MS] + ["+Inf"]
    count = sum(n for n, _, _ in rows.values())
    total_us = sum(t for _, t, _ in rows.values())
    histogram: list[dict[str, Any]] = [
        {"le_ms": b, "count": rows.get(b, (0, 0, 0))[0]} for b in bounds
    ]

    def percentile(share: float) -> str | None:
        if not count:
            return None
        seen = 0
        for bucket in histogram:
            seen += bucket["count"]
            if seen >= share * count:
                return bucket["le_ms"]
        return "+Inf"

    return {
        "searches": count,
        "mean_ms": round(total_us / count / 1000, 3) if count else None,
        "max_ms": round(max((m for _, _, m in rows.values()), default=0) / 1000, 3)
        if count
        else None,
        "p50_le_ms": percentile(0.5),
        "p95_le_ms": percentile(0.95),
        "histogram": histogram,
    }


def customer_preferences(conn: Connection, customer_id: str) -> dict[str, list[dict[str, Any]]]:
    p = analytics_customer_prefs.c
    out: dict[str, list[dict[str, Any]]] = {d: [] for d in PREFERENCE_DIMENSIONS}
    q = (
        select(p.dimension, p.value, p.bookings, p.tickets)
        .where(p.customer_id == customer_id)
        .order_by(p.dimension, p.bookings.desc(), p.value)
    )
    for dimension, value, bookings, tickets in conn.execute(q):
        out.setdefault(dimension, []).append(
            {"value": value, "bookings": _int(bookings), "tickets": _int(tickets)}
        )
    return out


def preference_trends(
    conn: Connection, scope: Scope, f: Filters, dimension: str
) -> list[dict[str, Any]]:
    """Bookings per month and value of one dimension (language, genre, format, time_of_day)."""
    if dimension not in PREFERENCE_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    t = analytics_pref_trends.c
    q = select(t.month, t.value, func.sum(t.bookings), func.sum(t.tickets)).where(
        t.dimension == dimension
    )
    if scope.theatre_ids is not None:
        q = q.where(t.theatre_id.in_(scope.theatre_ids))
    if f.theatre_id is not None:
        q = q.where(t.theatre_id == f.theatre_id)
    if f.city is not None:
        q = q.where(t.theatre_id.in_(select(theatres.c.id).where(theatres.c.city == f.city)))
    if f.date_from is not None:
        q = q.where(t.month >= date(f.date_from.year, f.date_from.month, 1))
    if f.date_to is not None:
        q = q.where(t.month <= f.date_to)
    q = q.group_by(t.month, t.value).order_by(t.month, t.value)
    return [
        {"month": m, "value": v, "bookings": _int(b), "tickets": _int(n)}
        for m, v, b, n in conn.execute(q)
    ]


def own_theatres(conn: Connection, partner_id: str) -> tuple[str, ...]:
    return tuple(
        conn.execute(
            select(theatres.c.id).where(theatres.c.partner_id == partner_id).order_by(theatres.c.id)
        ).scalars()
    )
