"""Fill a Marquee database with N confirmed bookings (2 seats each, a succeeded payment each),
for backup/restore drills and sizing. The rows are built inside PostgreSQL from one real show
(INSERT ... SELECT over generate_series), so a million bookings take minutes, not hours.

    .venv/bin/python bench/generate_bookings.py --bookings 1000000          # on the cluster
    .venv/bin/python bench/generate_bookings.py --url postgresql://... --bookings 100000

Each generated show is a copy of a template show of 1,000 seats; 500 bookings fill it. Seats
are marked sold to their booking, booking_seats rows are live, tickets name the seats, so the
invariants (no seat twice, sold == confirmed seats, a succeeded payment per booking) hold.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

PER_SHOW = 500  # bookings per generated show (2 seats each, 1,000 seats)
SERIES = "generate_series(cast(:first as int), cast(:last as int))"  # this batch's show numbers


def columns(conn, table: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            text(
                "select column_name from information_schema.columns "
                "where table_name = :t and table_schema = current_schema() "
                "order by ordinal_position"
            ),
            {"t": table},
        )
    ]


def generate(engine, env: dict[str, str], bookings: int, batch_shows: int = 100) -> dict:
    from bench.cluster_sale import create_sale

    template, _ = create_sale(engine, env, 0, rows=25, cols=40)
    tag = template.removeprefix("shw_cl_")
    shows = math.ceil(bookings / PER_SHOW)
    with engine.connect() as conn:
        show_cols = columns(conn, "shows")
    copy_show = ", ".join(
        "s.id || '_' || g" if c == "id" else f"s.{c}" for c in show_cols
    )  # every column of the template, the id made unique
    t0 = time.perf_counter()
    done = 0
    for first in range(1, shows + 1, batch_shows):
        last = min(shows, first + batch_shows - 1)
        with engine.begin() as conn:
            p = {"tpl": template, "first": first, "last": last, "tag": tag, "n": bookings}
            conn.execute(
                text(
                    f"insert into shows ({', '.join(show_cols)}) select {copy_show} "
                    f"from shows s, {SERIES} g where s.id = :tpl"
                ),
                p,
            )
            # seats: the template's 1,000 seats, numbered 0..999 in seat id order
            conn.execute(
                text(
                    f"""
                    with seats as (
                      select seat_id, category,
                             row_number() over (order by seat_id) - 1 as k
                      from show_seats where show_id = :tpl)
                    insert into show_seats (show_id, seat_id, category, status, booking_id,
                                            version)
                    select :tpl || '_' || g, seats.seat_id, seats.category,
                           case when ((g - 1) * 500 + seats.k / 2) < cast(:n as int)
                                then 'sold' else 'available' end,
                           case when ((g - 1) * 500 + seats.k / 2) < cast(:n as int)
                                then 'bkg_gen_' || :tag || '_' || ((g - 1) * 500 + seats.k / 2)
                           end, 1
                    from {SERIES} g, seats
                    """
                ),
                p,
            )
            conn.execute(
                text(
                    f"""
                    with b as (
                      select show_id, booking_id,
                             array_agg(seat_id order by seat_id) as seat_ids,
                             array_agg(category order by seat_id) as cats
                      from show_seats
                      where show_id like :tpl || '\\_%' and booking_id like 'bkg_gen_%'
                        and show_id in (select :tpl || '_' || g
                                        from {SERIES} g)
                      group by show_id, booking_id)
                    insert into bookings (id, code, show_id, customer_id, hold_id, status,
                                          total_amount, currency, tickets, created_at,
                                          confirmed_at)
                    select booking_id, upper(substr(md5(booking_id), 1, 12)), show_id,
                           'usr_gen_' || (abs(hashtext(booking_id)) % 200000),
                           null, 'confirmed', 36000, 'INR',
                           (select json_agg(json_build_object(
                               'seat_id', sid, 'category', cat, 'ticket_type', 'ADULT',
                               'price', json_build_object('amount', 18000, 'currency', 'INR')))
                            from unnest(seat_ids, cats) as t(sid, cat)),
                           now() - interval '1 day', now() - interval '1 day'
                    from b
                    """
                ),
                p,
            )
            conn.execute(
                text(
                    f"""
                    insert into booking_seats (booking_id, show_id, seat_id, active)
                    select booking_id, show_id, seat_id, true from show_seats
                    where show_id in (select :tpl || '_' || g
                                      from {SERIES} g)
                      and booking_id is not null
                    """
                ),
                p,
            )
            made = conn.execute(
                text(
                    f"""
                    insert into payments (id, booking_id, gateway, amount, currency,
                                          refunded_amount, status, method, idempotency_key,
                                          created_at, updated_at)
                    select 'pay_gen_' || substr(b.id, 9), b.id, 'offline', b.total_amount,
                           b.currency, 0, 'succeeded', 'card', 'gen:' || b.id,
                           b.created_at, b.created_at
                    from bookings b
                    where b.show_id in (select :tpl || '_' || g
                                        from {SERIES} g)
                    """
                ),
                p,
            ).rowcount
        done += made
        rate = done / (time.perf_counter() - t0)
        print(f"  {done:>9,} bookings  ({rate:,.0f}/s)", flush=True)
    seconds = time.perf_counter() - t0
    return {
        "bookings": done,
        "shows": shows,
        "seconds": round(seconds, 1),
        "per_s": round(done / seconds),
    }


def main() -> int:
    from bench.cluster_sale import cluster_env
    from store.engine import make_engine

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bookings", type=int, default=1_000_000)
    ap.add_argument("--url", help="database URL (default: the local cluster's primary)")
    args = ap.parse_args()
    env = cluster_env()
    engine = make_engine(args.url or env["DATABASE_URL"], pool_size=2)
    result = generate(engine, env, args.bookings)
    print(
        f"generated {result['bookings']:,} bookings on {result['shows']:,} shows in "
        f"{result['seconds']} s ({result['per_s']:,}/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
