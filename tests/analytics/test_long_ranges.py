"""Long ranges are answered from coarser rollups (whole months and the days around them; per
theatre and day; per theatre and show date for occupancy and the booking pace). A year of sales
is put through the outbox as the booking service writes it (holds, checkouts, confirmations,
cancellations, released holds, each at its own time over thirteen months) and show-page views
through the tracker's path, for the demo partner's three theatres in two currencies and for
another partner's theatre. Every year-long and cut range KPI of the dashboard is then checked
through the HTTP API against sums computed from those sales, and against the per-day table the
answers used to come from. A rebuild gives the same tables, and so does the migration that
fills the new tables on a database that had only the older aggregates. On SQLite (the embedded
mode reads the same queries) and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from analytics.aggregate import TABLES
from analytics.ingest import ingest_tracked, rebuild
from booking import events as ev
from canonical import Money, Screen, Show
from canonical.layout_builder import standard_layout
from canonical.time import localize
from marquee.demo_data import SLOTS, THEATRES
from marquee.worker.runtime import build_runtime
from store import catalog
from store import outbox as sql_outbox
from store.migrate import downgrade, upgrade
from store.tables import shows, theatres
from store.tables_analytics import (
    ROLLUP_COUNTERS,
    analytics_daily,
    analytics_monthly,
)
from tests.analytics.conftest import World
from tests.api.conftest import OTHER_THEATRE

TODAY = datetime.now(UTC).date()
FIRST = TODAY - timedelta(days=385)
YEAR = (TODAY - timedelta(days=390), TODAY + timedelta(days=10))  # 400 days: the API's most
PRICE = {"INR": 24_000, "GBP": 1_150}
BEFORE_NEW_TABLES = "0012_seat_category_colours"


@dataclass(frozen=True)
class Place:
    """A show's dimensions as the catalog holds them."""

    show_id: str
    theatre_id: str
    screen_id: str
    movie_id: str
    language: str
    city: str
    currency: str
    timezone: str
    business_date: date
    start_at: datetime


@dataclass(frozen=True)
class Increment:
    day: date  # the theatre's local day of the event
    place: Place
    counts: dict[str, int]


@dataclass
class History:
    increments: list[Increment]
    pace: list[tuple[Place, int, int]]  # (show, days before, tickets) per confirmed booking
    sold: dict[str, int]  # show id -> seats sold net of cancellations


def _schedule(engine, wanted: list[tuple[str, int, date, int]]) -> list[str]:
    """The demo theatres' shows (screen, day, slot of the demo's daily programme) the sales are
    for, and an evening show a day in another partner's theatre; their ids."""
    other = standard_layout("lay_other_1", "scr_other_1", rows=8)
    ids = []
    with engine.begin() as conn:
        catalog.save_screen(
            conn,
            Screen(id="scr_other_1", theatre_id=OTHER_THEATRE, name="Screen 1", layout_id=other.id),
        )
        catalog.save_layout(conn, other)
        for theatre_id, screen, day, slot in wanted:
            theatre = catalog.get_theatre(conn, theatre_id)
            assert theatre is not None
            if theatre_id == OTHER_THEATRE:
                layout, screen_id = other, "scr_other_1"
                start_local, movie_id, language, fmt = time(19, 0), "mov_orbit_nine", "en", None
            else:
                screen_id = f"scr_{theatre_id[4:]}_{screen}"
                layout = catalog.get_layout(conn, f"lay_{theatre_id[4:]}_{screen}")
                start_local, movie_id, language, fmt = SLOTS[slot]
            assert layout is not None
            start = localize(datetime.combine(day, start_local), theatre.timezone)
            show = Show.scheduled(
                tz=theatre.timezone,
                cutover_hour=theatre.business_day_cutover_hour,
                id=f"shw_{screen_id[4:]}_{day:%Y%m%d}_{start_local:%H%M}",
                movie_id=movie_id,
                theatre_id=theatre_id,
                screen_id=screen_id,
                start=start,
                end=start + timedelta(minutes=170),
                language=language,
                **({"format": fmt} if fmt else {}),
            )
            catalog.save_show(conn, show, layout)
            ids.append(show.id)
    return ids


def _places(engine, show_ids: list[str]) -> dict[str, Place]:
    s, t = shows.c, theatres.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                s.id,
                s.theatre_id,
                s.screen_id,
                s.movie_id,
                s.language,
                t.city,
                t.currency,
                t.timezone,
                s.business_date,
                s.start_at,
            )
            .join(theatres, t.id == s.theatre_id)
            .where(s.id.in_(show_ids))
        ).all()
    return {r.id: Place(*r) for r in rows}


def _view(event_id: str, at: datetime, show_id: str) -> tuple[str, dict[str, Any]]:
    """A show-page view as the API's tracker records it."""
    return event_id, {"kind": "show_view", "occurred_at": at.isoformat(), "show_id": show_id}


def _make_history(world: World) -> History:
    """Thirteen months of sales, written to the outbox with the times they happened at and
    delivered by a worker running the analytics consumer; show views through the tracker's
    path. Returns what each should add up to."""
    engine = world.api.hub.engine
    days = [FIRST + timedelta(days=33 * k) for k in range(12)]
    plan = [
        (theatre.id, 1 + (k + j) % 2, day, (k + j) % len(SLOTS))
        for k, day in enumerate(days)
        for j, theatre in enumerate((THEATRES[k % 3], THEATRES[(k + 1) % 3]))
    ]
    plan += [(OTHER_THEATRE, 1, day, 0) for day in days[::4]]
    show_ids = _schedule(engine, plan)
    wanted = list(zip(show_ids, range(len(show_ids)), strict=True))  # (show, sale number)
    places = _places(engine, show_ids)
    assert len(places) == len(wanted)

    history = History([], [], defaultdict(int))
    views: list[tuple[str, dict[str, Any]]] = []
    with engine.begin() as conn:

        def emit(event: ev.Event, place: Place, counts: dict[str, int]) -> None:
            topic, payload = event.to_message()
            sql_outbox.append(
                conn, event_id=event.event_id, topic=topic, payload=payload, now=event.occurred_at
            )
            local = event.occurred_at.astimezone(ZoneInfo(place.timezone)).date()
            history.increments.append(Increment(local, place, counts))

        for show_id, n in wanted:
            p = places[show_id]
            days_before = n % 3
            # Some sales late in the evening UTC: the theatre's local day is another date.
            at = p.start_at - timedelta(days=days_before, hours=3 + 4 * (n % 2))
            seats = tuple(f"S{i}" for i in range(1 + n % 4))
            amount = PRICE[p.currency] * len(seats) + 100 * n
            hold, booking = f"hld_long_{n}", f"bkg_long_{n}"
            customer = f"cus_long_{n % 5}"
            emit(
                ev.HoldPlaced(
                    hold_id=hold,
                    show_id=show_id,
                    theatre_id=p.theatre_id,
                    seat_ids=seats,
                    expires_at=at + timedelta(minutes=8),
                    customer_id=customer,
                    occurred_at=at,
                ),
                p,
                {"holds": 1, "held_seats": len(seats)},
            )
            total = Money(amount=amount, currency=p.currency)
            emit(
                ev.BookingCreated(
                    booking_id=booking,
                    code=f"LONG{n}",
                    hold_id=hold,
                    show_id=show_id,
                    customer_id=customer,
                    total=total,
                    occurred_at=at + timedelta(minutes=1),
                ),
                p,
                {"checkouts": 1},
            )
            emit(
                ev.BookingConfirmed(
                    booking_id=booking,
                    code=f"LONG{n}",
                    show_id=show_id,
                    theatre_id=p.theatre_id,
                    customer_id=customer,
                    seat_ids=seats,
                    total=total,
                    occurred_at=at + timedelta(minutes=2),
                ),
                p,
                {"bookings": 1, "tickets": len(seats), "revenue": amount},
            )
            history.pace.append((p, days_before, len(seats)))
            history.sold[show_id] += len(seats)
            if n % 3 == 2:  # cancelled a day later, with a fee
                fee = 500
                emit(
                    ev.BookingCancelled(
                        booking_id=booking,
                        code=f"LONG{n}",
                        show_id=show_id,
                        theatre_id=p.theatre_id,
                        customer_id=customer,
                        seat_ids=seats,
                        refund=Money(amount=amount - fee, currency=p.currency),
                        fee=Money(amount=fee, currency=p.currency),
                        occurred_at=at + timedelta(days=1),
                    ),
                    p,
                    {
                        "cancellations": 1,
                        "cancelled_tickets": len(seats),
                        "cancel_refunds": amount - fee,
                        "cancel_fees": fee,
                    },
                )
                history.sold[show_id] -= len(seats)
            if n % 4 == 1:  # someone else held two seats and let them go
                let_go = f"hld_long_{n}_b"
                emit(
                    ev.HoldPlaced(
                        hold_id=let_go,
                        show_id=show_id,
                        theatre_id=p.theatre_id,
                        seat_ids=("X1", "X2"),
                        expires_at=at + timedelta(minutes=9),
                        customer_id="cus_long_x",
                        occurred_at=at - timedelta(hours=30),
                    ),
                    p,
                    {"holds": 1, "held_seats": 2},
                )
                emit(
                    ev.HoldReleased(
                        hold_id=let_go,
                        show_id=show_id,
                        theatre_id=p.theatre_id,
                        seat_ids=("X1", "X2"),
                        occurred_at=at - timedelta(hours=29),
                    ),
                    p,
                    {"holds_released": 1, "holds_abandoned": 1},
                )
            for v in range(1 + n % 3):
                seen = at - timedelta(hours=v * 11)
                views.append(_view(f"trk_long_{n}_{v}", seen, show_id))
                local = seen.astimezone(ZoneInfo(p.timezone)).date()
                history.increments.append(Increment(local, p, {"show_views": 1}))
        # Views on the first, a middle and the last day of every month: a range that counts a
        # day twice or misses one where whole months meet the days around them shows here.
        month = date(FIRST.year, FIRST.month, 1)
        k = 0
        while month <= TODAY:
            following = (month + timedelta(days=32)).replace(day=1)
            for day in (month, month + timedelta(days=14), following - timedelta(days=1)):
                p = places[show_ids[k % len(show_ids)]]
                seen = localize(datetime.combine(day, time(12, 0)), p.timezone)
                views.append(_view(f"trk_long_m{k}", seen, p.show_id))
                history.increments.append(Increment(day, p, {"show_views": 1}))
                k += 1
            month = following
        assert ingest_tracked(conn, views) == len(views)

    analytics_only = build_runtime(
        world.api.hub.settings, engine=engine, services=None, notifier=None
    )
    report = analytics_only.relay.drain()
    assert report.failed == 0 and report.delivered > 0, report
    return history


# --- what the answers must be ----------------------------------------------------------------
KEYS: dict[str, Callable[[Increment], str]] = {
    "movie": lambda i: i.place.movie_id,
    "screen": lambda i: i.place.screen_id,
    "theatre": lambda i: i.place.theatre_id,
    "city": lambda i: i.place.city,
    "language": lambda i: i.place.language,
    "day": lambda i: i.day.isoformat(),
}
FILTERS = {"theatre_id", "screen_id", "movie_id", "language"}


def _inside(day: date, lo: date | None, hi: date | None) -> bool:
    return (lo is None or day >= lo) and (hi is None or day <= hi)


def _matches(place: Place, own: set[str], filters: dict[str, str]) -> bool:
    return place.theatre_id in own and all(getattr(place, k) == v for k, v in filters.items())


def _expected(
    history: History, own: set[str], lo: date | None, hi: date | None, by: str, filters: dict
) -> dict[tuple[str, str], dict[str, int]]:
    out: dict[tuple[str, str], dict[str, int]] = {}
    for inc in history.increments:
        if _inside(inc.day, lo, hi) and _matches(inc.place, own, filters):
            key = (KEYS[by](inc) if by else "", inc.place.currency)
            row = out.setdefault(key, dict.fromkeys(ROLLUP_COUNTERS, 0))
            for counter, value in inc.counts.items():
                row[counter] += value
    return out


def _from_daily(engine, own: set[str], lo, hi, by: str, filters: dict) -> dict:
    """The same sums straight from the per-day table, as the answers were computed before."""
    d = analytics_daily.c
    column = {"movie": "movie_id", "screen": "screen_id", "theatre": "theatre_id"}.get(by, by)
    q = select(d[column], d.currency, *(func.sum(d[c]) for c in ROLLUP_COUNTERS))
    q = q.where(d.theatre_id.in_(sorted(own)))
    if lo is not None:
        q = q.where(d.day >= lo)
    if hi is not None:
        q = q.where(d.day <= hi)
    for name, value in filters.items():
        q = q.where(d[name] == value)
    with engine.connect() as conn:
        rows = conn.execute(q.group_by(d[column], d.currency)).all()
    return {
        (r[0].isoformat() if isinstance(r[0], date) else r[0], r[1]): dict(
            zip(ROLLUP_COUNTERS, (int(v) for v in r[2:]), strict=True)
        )
        for r in rows
    }


def _answered(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    return {(r["key"], r["currency"]): {c: r[c] for c in ROLLUP_COUNTERS} for r in rows}


def _ranges() -> list[tuple[date | None, date | None]]:
    first_month = date(FIRST.year, FIRST.month, 1)
    second = (first_month + timedelta(days=40)).replace(day=1)
    aligned_end = (second + timedelta(days=31 * 4)).replace(day=1) - timedelta(days=1)
    month_end = second - timedelta(days=1)
    return [
        YEAR,
        (FIRST + timedelta(days=9), FIRST + timedelta(days=190)),  # cuts two months
        (second, aligned_end),  # whole months only
        (month_end, aligned_end + timedelta(days=1)),  # a month's last day to a month's first
        (FIRST, FIRST),
        (None, None),
        (FIRST + timedelta(days=70), None),
        (None, TODAY - timedelta(days=100)),
    ]


def _params(lo: date | None, hi: date | None, filters: dict[str, str]) -> dict[str, str]:
    out = dict(filters)
    if lo is not None:
        out["date_from"] = lo.isoformat()
    if hi is not None:
        out["date_to"] = hi.isoformat()
    return out


def _check(world: World, history: History) -> int:
    """Every dashboard answer for every range and principal; returns how many were compared."""
    api, c = world.api, world.api.client
    engine = api.hub.engine
    demo = {t.id for t in THEATRES}
    principals = [
        ("partner", api.auth("staff-a@test.example"), demo),
        ("partner", api.auth("staff-b@test.example"), {OTHER_THEATRE}),
        ("admin", api.auth("admin@test.example"), demo | {OTHER_THEATRE}),
    ]
    cases: list[tuple[date | None, date | None, dict[str, str]]] = [
        (lo, hi, {}) for lo, hi in _ranges()
    ]
    for lo, hi in _ranges()[:2]:
        for filters in (
            {"theatre_id": "thr_london_soho"},
            {"movie_id": "mov_kaala_vettai"},
            {"screen_id": "scr_chennai_marina_1"},
            {"language": "en"},
        ):
            cases.append((lo, hi, filters))
    compared = 0
    for area, headers, own in principals:
        for lo, hi, filters in cases:
            if filters.get("theatre_id", next(iter(own))) not in own:
                continue
            params = _params(lo, hi, filters)
            base = f"/v1/{area}/analytics"
            summary = c.get(f"{base}/summary", params=params, headers=headers)
            assert summary.status_code == 200, summary.text
            s = summary.json()
            by_currency = _expected(history, own, lo, hi, "", filters)
            assert {k: s["counts"][k] for k in s["counts"]} == {
                k: sum(row[k] for row in by_currency.values()) for k in s["counts"]
            }, (area, own, lo, hi, filters)
            assert s["money"] == [
                {
                    "currency": currency,
                    **{m: row[m] for m in ("revenue", "cancel_refunds", "cancel_fees", "refunded")},
                    "bookings": row["bookings"],
                }
                for (_, currency), row in sorted(by_currency.items(), key=lambda kv: kv[0][1])
            ]
            for by in KEYS:
                got = c.get(f"{base}/breakdown", params={**params, "by": by}, headers=headers)
                assert got.status_code == 200, got.text
                want = _expected(history, own, lo, hi, by, filters)
                assert _answered(got.json()) == want, (area, own, lo, hi, filters, by)
                assert want == _from_daily(engine, own, lo, hi, by, filters)
                compared += 1
            # Occupancy and pace count the shows whose business date is in range.
            in_range = [
                (p, before, n)
                for p, before, n in history.pace
                if _inside(p.business_date, lo, hi) and _matches(p, own, filters)
            ]
            sold = sum(history.sold[show_id] for show_id in {p.show_id for p, _, _ in in_range})
            assert s["occupancy"]["sold"] == sold
            pace = c.get(f"{base}/pace", params=params, headers=headers).json()
            want_pace: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            for _, before, n in in_range:
                want_pace[before][0] += 1
                want_pace[before][1] += n
            assert {p["days_before"]: [p["bookings"], p["tickets"]] for p in pace} == want_pace
            compared += 2
    # The heat map of one sold show of the year.
    p, _, n = history.pace[5]
    [row] = c.get(
        "/v1/partner/analytics/shows",
        params={"show_id": p.show_id},
        headers=principals[0][1],
    ).json()
    assert row["sold"] == history.sold[p.show_id] and row["bookings"] == 1
    return compared


def _snapshot(engine, tables=None) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        out = {}
        for table in tables or TABLES.values():
            keys = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*keys))]
        return out


def test_year_long_answers_equal_the_sales_after_a_rebuild_and_a_migration(
    any_world: World,
) -> None:
    history = _make_history(any_world)
    engine = any_world.api.hub.engine
    with engine.connect() as conn:
        monthly = conn.execute(select(func.count()).select_from(analytics_monthly)).scalar_one()
        daily = conn.execute(select(func.count()).select_from(analytics_daily)).scalar_one()
    assert 0 < monthly < daily  # the coarser table is coarser
    assert _check(any_world, history) > 300

    # A rebuild from scratch equals the incremental result.
    counted = _snapshot(engine)
    rebuild(engine)
    assert _snapshot(engine) == counted

    # A database that had the older aggregates only gets the new tables filled by their
    # migration, equal to what counting fills them with.
    url = any_world.api.hub.settings.database.url
    engine.dispose()
    downgrade(url, BEFORE_NEW_TABLES)
    upgrade(url)
    assert _snapshot(engine) == counted
