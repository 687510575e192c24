"""Flash sale through the local cluster's load balancer (deploy/local), with retries, and the
invariants read back from the primary.

    sudo make cluster
    .venv/bin/python bench/cluster_sale.py --customers 600 --rate 20

Customers arrive at --rate per second (so a sale spans the faults the cluster tests inject).
Each one fetches the seat map (or reuses the last one), holds 1-4 adjacent seats and checks out
with the offline gateway's success card. Every request carries an Idempotency-Key and is
repeated on 502/503/504 or a lost connection (after Retry-After when given) until --patience
seconds have passed: that is what a client of a load-balanced API does, and the keys make the
repeats safe. The bookings a customer saw confirmed are kept, so a test can check that none was
lost by a database failover.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.flash_sale import CARD_OK, SeatMap, pct  # noqa: E402
from bench.loadclient import HttpError, LoadClient, Response  # noqa: E402

# make cluster-test and the DR drill run this from the cluster's copy of the code (var/cluster/app)
# and name the cluster's directory; run by hand from the checkout it is var/cluster.
CLUSTER_DIR = Path(os.environ.get("MARQUEE_CLUSTER_DIR") or ROOT / "var" / "cluster")
LB_HOST = "10.213.0.10"
RETRY_STATUSES = (502, 503, 504)


# --- the cluster's settings ------------------------------------------------------------------
def cluster_env(cluster_dir: Path = CLUSTER_DIR) -> dict[str, str]:
    """The application's environment the cluster started its hosts with (app.env)."""
    env: dict[str, str] = {}
    for line in (cluster_dir / "app.env").read_text().splitlines():
        name, _, value = line.partition("=")
        if name:
            env[name] = value
    return env


def primary_engine(env: dict[str, str]):
    from store.engine import make_engine

    return make_engine(env["DATABASE_URL"], pool_size=2)


# --- setup -----------------------------------------------------------------------------------
def create_sale(engine, env: dict[str, str], customers: int, rows: int = 25, cols: int = 40):
    """A native theatre with one rows x cols screen and one show, and `customers` accounts
    with an access token each (signed with the cluster's JWT secret). Returns (show, tokens)."""
    from canonical import LocalizedText, Money, Movie, Screen, Show, ShowFormat, Theatre, TicketType
    from canonical.layout_builder import LayoutSpec, RowSpec, build_layout
    from store import catalog, partners

    tag = uuid.uuid4().hex[:10]
    theatre_id, screen_id, show_id = f"thr_cl_{tag}", f"scr_cl_{tag}", f"shw_cl_{tag}"
    layout = build_layout(
        f"lay_cl_{tag}", screen_id, LayoutSpec(rows=[RowSpec(seats=cols) for _ in range(rows)])
    )
    theatre = Theatre(
        id=theatre_id,
        name=f"Cluster {tag}",
        city="Chennai",
        country="IN",
        timezone="Asia/Kolkata",
        currency="INR",
        partner_id=f"prt_cl_{tag}",
    )
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    price = TicketType(
        code="ADULT", name="Adult", category="standard", price=Money(amount=18000, currency="INR")
    )
    with engine.begin() as conn:
        partners.create_partner(conn, f"prt_cl_{tag}", f"Cluster {tag}")
        catalog.save_movie(
            conn,
            Movie(
                id=f"mov_cl_{tag}",
                title=LocalizedText(values={"en": "Rush"}),
                original_language="en",
                runtime_minutes=120,
            ),
        )
        catalog.save_theatre(conn, theatre)
        catalog.save_screen(
            conn,
            Screen(
                id=screen_id,
                theatre_id=theatre_id,
                name="Screen 1",
                formats=("2D",),
                layout_id=layout.id,
            ),
        )
        catalog.save_layout(conn, layout)
        catalog.save_show(
            conn,
            Show.scheduled(
                tz=theatre.timezone,
                id=show_id,
                movie_id=f"mov_cl_{tag}",
                theatre_id=theatre_id,
                screen_id=screen_id,
                start=start,
                end=start + timedelta(minutes=140),
                language="en",
                format=ShowFormat.TWO_D,
                ticket_types=(price,),
            ),
            layout,
        )
    return show_id, _customers(engine, env, tag, customers)


def _customers(engine, env: dict[str, str], tag: str, count: int) -> list[str]:
    from sqlalchemy import insert

    from api.security.scopes import ROLE_SCOPES, Role
    from api.security.tokens import issue_access_token
    from marquee.pii import cipher_from_settings
    from store.tables import users

    cipher = cipher_from_settings(env.get("ENCRYPTION_KEY"), env["JWT_SECRET"])
    now = datetime.now(UTC)
    scopes = list(ROLE_SCOPES[Role.CUSTOMER])
    rows, tokens = [], []
    for n in range(count):
        user_id = f"usr_cl_{tag}_{n:05d}"
        email = f"fan{n}.{tag}@cluster.example"
        rows.append(
            {
                "id": user_id,
                "email_hash": cipher.email_hash(email),
                "email_enc": cipher.encrypt(email),
                "phone_enc": None,
                "name": f"Fan {n}",
                "language": "en",
                "password_hash": None,
                "role": Role.CUSTOMER.value,
                "partner_id": None,
                "active": True,
                "created_at": now,
            }
        )
        token, _ = issue_access_token(
            env["JWT_SECRET"],
            subject=user_id,
            role=Role.CUSTOMER.value,
            scopes=scopes,
            partner_id=None,
            kind="user",
            minutes=120,
        )
        tokens.append(token)
    with engine.begin() as conn:
        for i in range(0, len(rows), 2000):
            conn.execute(insert(users), rows[i : i + 2000])
    return tokens


# --- the customers ---------------------------------------------------------------------------
@dataclass
class SaleStats:
    codes: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)
    retry_after_503: int = 0
    gave_up: Counter = field(default_factory=Counter)
    confirmed: dict[str, str] = field(default_factory=dict)  # booking id -> customer
    confirmed_at: list[float] = field(default_factory=list)
    hold_latency: list[float] = field(default_factory=list)
    checkout_latency: list[float] = field(default_factory=list)
    # (monotonic time, ok?) of every answered hold/checkout, to time an outage from outside
    outcomes: list[tuple[float, bool]] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    def summary(self) -> dict[str, Any]:
        seconds = max(self.ended - self.started, 1e-9)
        return {
            "seconds": round(seconds, 1),
            "bookings_confirmed": len(self.confirmed),
            "bookings_per_s": round(len(self.confirmed) / seconds, 1),
            "codes": dict(self.codes),
            "retries": dict(self.retries),
            "503_with_retry_after": self.retry_after_503,
            "gave_up": dict(self.gave_up),
            "hold_p50_ms": round(pct(self.hold_latency, 50)),
            "hold_p99_ms": round(pct(self.hold_latency, 99)),
            "checkout_p99_ms": round(pct(self.checkout_latency, 99)),
        }

    def longest_gap(self) -> float:
        """The longest time between two successful answers once the sale had begun: how long
        customers saw no progress (a failover's outage seen from outside)."""
        ok = sorted(t for t, good in self.outcomes if good)
        return max((b - a for a, b in zip(ok, ok[1:], strict=False)), default=0.0)


async def call(
    client: LoadClient,
    stats: SaleStats,
    op: str,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    patience: float,
) -> Response | None:
    """One request, repeated on 502/503/504 or a lost connection until `patience` runs out."""
    deadline = time.monotonic() + patience
    while True:
        try:
            r = await client.request(
                method, path, json.dumps(body).encode() if body is not None else None, headers
            )
        except HttpError:
            r = None
        if r is not None:
            stats.codes[f"{op} {r.status_code}"] += 1
            if r.status_code == 503 and "retry-after" in r.headers:
                stats.retry_after_503 += 1
            # 409 idempotency_key_in_use: the first request with this key is still running (or
            # died with its host); it says when to ask again.
            in_use = r.status_code == 409 and b"idempotency_key_in_use" in r.content
            if r.status_code not in RETRY_STATUSES and not in_use:
                return r
            wait = float(r.headers.get("retry-after", "0.2") or 0.2)
        else:
            stats.codes[f"{op} connection lost"] += 1
            wait = 0.2
        if time.monotonic() + wait > deadline:
            stats.gave_up[op] += 1
            return None
        stats.retries[op] += 1
        await asyncio.sleep(min(wait, 1.0))


async def customer(
    n: int,
    token: str,
    show_id: str,
    client: LoadClient,
    seat_map: SeatMap,
    stats: SaleStats,
    patience: float,
    seed: int,
) -> None:
    rng = random.Random(seed * 100_003 + n)
    auth = {"Authorization": f"Bearer {token}"}
    count = rng.randint(1, 4)
    if rng.random() < 0.3 or not seat_map.rows:
        r = await call(
            client, stats, "map", "GET", f"/v1/shows/{show_id}/seat-map", None, {}, patience
        )
        if r is not None and r.status_code == 200:
            seat_map.update(r.json())
    if seat_map.rows and seat_map.available == 0:
        return
    avoid: set[str] = set()
    hold_id = None
    for attempt in range(2):
        seats = seat_map.pick(count, rng, avoid)
        body = {"show_id": show_id, **({"seat_ids": seats} if seats else {"count": count})}
        headers = {**auth, "Idempotency-Key": f"hold-{n}-{attempt}-{seed}"}
        t = time.perf_counter()
        r = await call(client, stats, "hold", "POST", "/v1/holds", body, headers, patience)
        if r is None:
            return
        stats.hold_latency.append(time.perf_counter() - t)
        stats.outcomes.append((time.monotonic(), r.status_code in (201, 409, 422)))
        if r.status_code in (200, 201):
            hold_id = r.json()["id"]
            break
        if r.status_code == 409:
            avoid |= set(seats or []) | set(r.json().get("seats") or [])
            continue
        return
    if hold_id is None:
        return
    headers = {**auth, "Idempotency-Key": f"checkout-{hold_id}"}
    body = {"hold_id": hold_id, "method": "card", "payment": {"card_number": CARD_OK}}
    t = time.perf_counter()
    r = await call(client, stats, "checkout", "POST", "/v1/checkout", body, headers, patience)
    if r is None:
        return
    stats.checkout_latency.append(time.perf_counter() - t)
    stats.outcomes.append((time.monotonic(), r.status_code in (200, 201)))
    if r.status_code in (200, 201) and r.json()["booking"]["status"] == "confirmed":
        stats.confirmed[r.json()["booking"]["id"]] = f"cust{n}"
        stats.confirmed_at.append(time.monotonic())


async def run_sale(
    show_id: str,
    tokens: list[str],
    *,
    rate: float,
    patience: float = 60.0,
    concurrency: int = 100,
    seed: int = 7,
    host: str = LB_HOST,
    port: int = 80,
) -> SaleStats:
    """Customers arrive at `rate` per second; returns when every one has finished."""
    stats = SaleStats()
    seat_map = SeatMap()
    client = LoadClient(host, port, max_connections=concurrency, timeout=30.0)
    stats.started = time.monotonic()
    try:
        tasks = []
        for n, token in enumerate(tokens):
            tasks.append(
                asyncio.create_task(
                    customer(n, token, show_id, client, seat_map, stats, patience, seed)
                )
            )
            await asyncio.sleep(1.0 / rate)
        await asyncio.gather(*tasks)
    finally:
        await client.aclose()
    stats.ended = time.monotonic()
    return stats


# --- invariants ------------------------------------------------------------------------------
def invariants(engine, show_id: str, confirmed_seen: dict[str, str] | None = None) -> dict:
    """What must hold in the database after any fault: no seat sold twice, sold seats are the
    confirmed bookings' seats, one succeeded payment at most per booking, every confirmed
    booking has a succeeded payment, and every booking a customer saw confirmed is there."""
    from sqlalchemy import text

    with engine.connect() as conn:
        q = lambda sql: conn.execute(text(sql), {"show": show_id}).all()  # noqa: E731
        oversold = q(
            "select seat_id from booking_seats where show_id = :show and active "
            "group by seat_id having count(*) > 1"
        )
        sold = q("select count(*) from show_seats where show_id = :show and status = 'sold'")
        confirmed = q(
            "select b.id, b.tickets from bookings b where b.show_id = :show "
            "and b.status = 'confirmed'"
        )
        double_charged = q(
            "select p.booking_id from payments p join bookings b on b.id = p.booking_id "
            "where b.show_id = :show and p.status = 'succeeded' "
            "group by p.booking_id having count(*) > 1"
        )
        holds_twice = q(
            "select hold_id from bookings where show_id = :show and hold_id is not null "
            "and status <> 'failed' group by hold_id having count(*) > 1"
        )
        unpaid_confirmed = q(
            "select b.id from bookings b where b.show_id = :show and b.status = 'confirmed' "
            "and not exists (select 1 from payments p where p.booking_id = b.id "
            "and p.status = 'succeeded')"
        )
        pending = q("select count(*) from bookings where show_id = :show and status = 'pending'")
    confirmed_ids = {r.id for r in confirmed}
    seats_confirmed = sum(len(r.tickets) for r in confirmed)
    lost = sorted(set(confirmed_seen or {}) - confirmed_ids)
    return {
        "oversold_seats": len(oversold),
        "sold_seats": sold[0][0],
        "seats_of_confirmed_bookings": seats_confirmed,
        "sold_vs_confirmed_mismatch": abs(sold[0][0] - seats_confirmed),
        "confirmed_bookings": len(confirmed_ids),
        "double_charged_bookings": len(double_charged),
        "holds_with_two_bookings": len(holds_twice),
        "confirmed_without_payment": len(unpaid_confirmed),
        "pending_bookings": pending[0][0],
        "confirmed_seen_by_customers_but_lost": len(lost),
    }


BROKEN_IF_NONZERO = (
    "oversold_seats",
    "sold_vs_confirmed_mismatch",
    "double_charged_bookings",
    "holds_with_two_bookings",
    "confirmed_without_payment",
    "confirmed_seen_by_customers_but_lost",
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=600)
    ap.add_argument("--rate", type=float, default=20.0, help="customers arriving per second")
    ap.add_argument("--patience", type=float, default=60.0)
    args = ap.parse_args()
    env = cluster_env()
    engine = primary_engine(env)
    show_id, tokens = create_sale(engine, env, args.customers)
    stats = asyncio.run(run_sale(show_id, tokens, rate=args.rate, patience=args.patience))
    print(json.dumps(stats.summary(), indent=2))
    result = invariants(engine, show_id, stats.confirmed)
    print(json.dumps(result, indent=2))
    return 1 if any(result[k] for k in BROKEN_IF_NONZERO) else 0


if __name__ == "__main__":
    raise SystemExit(main())
