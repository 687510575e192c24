"""Flash-sale benchmark: N virtual customers race for one 400-seat native show through the HTTP
API, on PostgreSQL and Redis with several uvicorn workers; then the raw-SQL ceiling.

    .venv/bin/python bench/flash_sale.py                      # 10,000 customers, 2 workers
    .venv/bin/python bench/flash_sale.py --customers 2000 --workers 1   # a quick run

What it does, in order:
1. A private PostgreSQL database (marquee/devservers.py), migrated with Alembic; a private Redis
   database number for the rate limiter. One native theatre, one screen of 20 rows x 20 seats,
   two shows on it: one for the API run, one for the raw-SQL run.
2. N customer accounts inserted directly into the users table (encrypted e-mail, no password)
   and an access token minted for each with the API's own code (api/security/tokens.py):
   10,000 argon2 logins would measure password hashing, not the sale.
3. `uvicorn api.main:app --workers W` on 127.0.0.1 with TASK_MODE=inprocess (each process also
   runs its outbox worker: POS commits for native shows are no-ops, e-tickets go to files),
   REDIS_URL set (rate limits shared by the workers) and generous RATE_LIMIT_* settings: every
   customer comes from the one IP of this machine, which the default 120 holds/minute per IP
   would stop after two seconds.
4. The customers: asyncio and a lean keep-alive HTTP/1.1 client (bench/loadclient.py: the load
   generator shares the two cores with the system under test, and httpx spent ~1 ms of CPU per
   request), at most --concurrency in flight, bounded by
   --seconds. Each one picks 1-4 seats: with probability --map-share it fetches the seat map
   itself (and shares it), otherwise it uses the last map anyone fetched (stale, as a cached
   map is). It holds adjacent free seats from that map, or asks for best-available when the map
   shows none; on 409 it tries once more with other seats; on success it checks out with the
   offline gateway's success card and counts a completed booking when the booking comes back
   confirmed.
5. Checks in the database: no seat in two live bookings, sold seats == seats of confirmed
   bookings, every outbox row of the run delivered.
6. The raw-SQL ceiling (bench/flash_sale_sql.py): the same conditional hold UPDATE over
   psycopg, one connection per thread, for the same seat choices on the second show; the API's
   hold throughput is printed as a share of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.flash_sale_sql import raw_sql_holds  # noqa: E402
from bench.loadclient import HttpError, LoadClient  # noqa: E402

THEATRE = "thr_bench_flash"
SCREEN = "scr_bench_flash"
LAYOUT = "lay_bench_flash"
API_SHOW = "shw_bench_flash_api"
SQL_SHOW = "shw_bench_flash_sql"
JWT_SECRET = "bench-only-secret-0123456789abcdef0123"
ENCRYPTION_KEY = "bench-only-encryption-key-0123456789abcdef"
CARD_OK = "4242424242424242"
GENEROUS = "1000000/minute"


# --- setup ---------------------------------------------------------------------------------
def make_database() -> tuple[str, str]:
    from marquee import devservers
    from store.migrate import upgrade

    server = devservers.postgres_server()
    url = devservers.create_database(server, prefix="marquee_bench_flash")
    upgrade(url)
    return server, url


def create_shows(engine) -> int:
    """One native theatre, a 20 x 20 screen (front 14 rows standard, back 6 premium), and two
    shows two days out. Plain rows: no sofas or wheelchair rules, so any adjacent run works."""
    from canonical import LocalizedText, Money, Movie, Screen, Show, ShowFormat, Theatre, TicketType
    from canonical.layout_builder import LayoutSpec, RowSpec, build_layout
    from store import catalog, partners

    layout = build_layout(
        LAYOUT,
        SCREEN,
        LayoutSpec(
            rows=[
                RowSpec(seats=20, category="premium" if r >= 14 else "standard") for r in range(20)
            ]
        ),
    )
    theatre = Theatre(
        id=THEATRE,
        name="Bench Flash",
        city="Chennai",
        country="IN",
        timezone="Asia/Kolkata",
        currency="INR",
        partner_id="prt_bench",
    )
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    prices = (
        TicketType(
            code="ADULT",
            name="Adult",
            category="standard",
            price=Money(amount=18000, currency="INR"),
        ),
        TicketType(
            code="ADULT",
            name="Adult",
            category="premium",
            price=Money(amount=25000, currency="INR"),
        ),
    )
    with engine.begin() as conn:
        partners.create_partner(conn, "prt_bench", "Bench Cinemas")
        catalog.save_movie(
            conn,
            Movie(
                id="mov_bench",
                title=LocalizedText(values={"en": "Rush"}),
                original_language="en",
                runtime_minutes=120,
            ),
        )
        catalog.save_theatre(conn, theatre)
        catalog.save_screen(
            conn,
            Screen(
                id=SCREEN, theatre_id=THEATRE, name="Screen 1", formats=("2D",), layout_id=LAYOUT
            ),
        )
        catalog.save_layout(conn, layout)
        for show_id in (API_SHOW, SQL_SHOW):
            catalog.save_show(
                conn,
                Show.scheduled(
                    tz=theatre.timezone,
                    id=show_id,
                    movie_id="mov_bench",
                    theatre_id=THEATRE,
                    screen_id=SCREEN,
                    start=start,
                    end=start + timedelta(minutes=140),
                    language="en",
                    format=ShowFormat.TWO_D,
                    ticket_types=prices,
                ),
                layout,
            )
    return len(layout.seats())


def create_customers(engine, count: int) -> list[str]:
    """Customer rows inserted in bulk (encrypted e-mail and keyed hash, as sign-up stores
    them; no password, so nobody can log in with them) and one access token each, minted by
    the API's token code."""
    from sqlalchemy import insert

    from api.security.scopes import ROLE_SCOPES, Role
    from api.security.tokens import issue_access_token
    from marquee.pii import cipher_from_settings
    from store.tables import users

    cipher = cipher_from_settings(ENCRYPTION_KEY, JWT_SECRET)
    now = datetime.now(UTC)
    rows, tokens = [], []
    scopes = list(ROLE_SCOPES[Role.CUSTOMER])
    for n in range(count):
        user_id = f"usr_bench_{n:06d}"
        email = f"fan{n}@bench.example"
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
            JWT_SECRET,
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


def serve_sampled(port: int, out: Path) -> None:
    """One uvicorn worker in this process with a stack sampler (py-spy is not installed and
    cProfile sees only one thread; endpoints run in the thread pool). Every 5 ms it records
    each busy thread's stack; at exit it writes the functions seen most, inclusive and as the
    innermost frame of our own code."""
    import threading
    import traceback

    import uvicorn

    inclusive: Counter = Counter()
    own_leaf: Counter = Counter()
    samples = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal samples
        me = threading.get_ident()
        while not stop.wait(0.005):
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                stack = traceback.extract_stack(frame)
                if not stack or stack[-1].name in (
                    "wait",
                    "select",
                    "_worker",
                    "get",
                    "poll",
                    "run_forever",
                    "_run_once",
                    "accept",
                ):
                    continue  # idle thread
                samples += 1
                seen = set()
                for fr in stack:
                    key = f"{Path(fr.filename).name}:{fr.name}"
                    if key not in seen:
                        inclusive[key] += 1
                        seen.add(key)
                ours = [
                    fr for fr in stack if str(ROOT) in fr.filename and ".venv" not in fr.filename
                ]
                if ours:
                    own_leaf[
                        f"{Path(ours[-1].filename).name}:{ours[-1].name}:{ours[-1].lineno}"
                    ] += 1

    def write() -> None:
        with open(out, "w") as fh:
            fh.write(f"{samples} busy-thread samples\n\ninclusive:\n")
            for key, n in inclusive.most_common(80):
                fh.write(f"{n / max(1, samples):6.1%}  {key}\n")
            fh.write("\ninnermost frame of our code:\n")
            for key, n in own_leaf.most_common(40):
                fh.write(f"{n / max(1, samples):6.1%}  {key}\n")

    def writer() -> None:  # the server may be killed rather than stopped: write as we go
        while not stop.wait(2.0):
            write()

    threading.Thread(target=sample, daemon=True).start()
    threading.Thread(target=writer, daemon=True).start()
    uvicorn.run(
        "api.main:app",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=60,
    )
    stop.set()
    write()


def start_api(
    db_url: str,
    redis_url: str,
    port: int,
    workers: int,
    log_level: str,
    workdir: Path,
    profile: Path | None = None,
) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "TASK_MODE": "inprocess",
            "JWT_SECRET": JWT_SECRET,
            "ENCRYPTION_KEY": ENCRYPTION_KEY,
            "PAYMENT_GATEWAY": "offline",
            "LOG_LEVEL": log_level,
            "VAR_DIR": str(workdir),
            "NOTIFY_DIR": str(workdir / "mail"),
            **{
                f"RATE_LIMIT_{name}": GENEROUS
                for name in (
                    "LOGIN_PER_IP",
                    "LOGIN_PER_ACCOUNT",
                    "HOLD_PER_IP",
                    "HOLD_PER_USER",
                    "CHECKOUT_PER_IP",
                    "CHECKOUT_PER_USER",
                )
            },
        }
    )
    for name in ("SMTP_HOST",):
        env.pop(name, None)
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--timeout-keep-alive",
        "60",  # idle customers keep their connections
        "--log-level",
        "warning",
    ]
    if profile is not None:  # one sampled worker instead
        cmd = [sys.executable, __file__, "--serve-sampled", str(port), str(profile)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "wb"),  # noqa: SIM115 - lives with the server
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"API server exited; see {workdir / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                # Every worker must be up, not just the first: give the rest a moment.
                time.sleep(1.0 + 0.5 * workers)
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_api(proc)
    raise RuntimeError("API server did not become ready")


def stop_api(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# --- the customers -------------------------------------------------------------------------
@dataclass
class Stats:
    hold_latency: list[float] = field(default_factory=list)
    hold_codes: Counter = field(default_factory=Counter)
    placed_latency: list[float] = field(default_factory=list)  # the 201s alone
    placed_at: list[float] = field(default_factory=list)  # monotonic time of each 201
    hold_sent: list[float] = field(default_factory=list)  # monotonic send time of each hold
    checkout_latency: list[float] = field(default_factory=list)
    checkout_codes: Counter = field(default_factory=Counter)
    map_latency: list[float] = field(default_factory=list)
    bookings: int = 0
    seats_booked: int = 0
    hold_window: list[float] = field(default_factory=list)  # first send, last answer
    booking_times: list[float] = field(default_factory=list)  # monotonic time of each booking
    first_checkout: float | None = None
    seat_plans: list[list[str]] = field(default_factory=list)  # first choice of each customer
    errors: Counter = field(default_factory=Counter)
    gave_up_sold_out: int = 0


class SeatMap:
    """The last seat map anyone fetched, shared by every customer (stale on purpose)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[int, str, str]]] = {}
        self.available = 0

    def update(self, body: dict) -> None:
        rows: dict[str, list[tuple[int, str, str]]] = {}
        for seat in body["seats"]:
            rows.setdefault(seat["row"], []).append((seat["column"], seat["id"], seat["status"]))
        for row in rows.values():
            row.sort()
        self.rows = rows
        self.available = body["available"]

    def pick(self, count: int, rng: random.Random, avoid: set[str]) -> list[str] | None:
        """A random run of `count` adjacent seats the map shows free (not in `avoid`)."""
        runs = []
        for row in self.rows.values():
            for i in range(len(row) - count + 1):
                window = row[i : i + count]
                if (
                    all(s == "available" and sid not in avoid for _, sid, s in window)
                    and window[-1][0] - window[0][0] == count - 1
                ):
                    runs.append([sid for _, sid, _ in window])
        return rng.choice(runs) if runs else None


async def customer(
    n: int,
    token: str,
    client: LoadClient,
    seat_map: SeatMap,
    stats: Stats,
    args: argparse.Namespace,
    deadline: float,
) -> None:
    rng = random.Random(args.seed * 100_003 + n)
    auth = {"Authorization": f"Bearer {token}"}
    count = rng.randint(1, 4)
    if rng.random() < args.map_share or not seat_map.rows:
        t = time.perf_counter()
        r = await client.get(f"/v1/shows/{API_SHOW}/seat-map")
        stats.map_latency.append(time.perf_counter() - t)
        if r.status_code == 200:
            seat_map.update(r.json())
    if seat_map.rows and seat_map.available == 0 and rng.random() < args.give_up_share:
        stats.gave_up_sold_out += 1  # the map says sold out: most people leave
        return
    avoid: set[str] = set()
    hold_id = None
    for attempt in range(2):
        if time.monotonic() > deadline:
            return
        seats = seat_map.pick(count, rng, avoid)
        body = {"show_id": API_SHOW, **({"seat_ids": seats} if seats else {"count": count})}
        if attempt == 0:
            stats.seat_plans.append(seats or [])
        t = time.perf_counter()
        if not stats.hold_window:
            stats.hold_window = [time.monotonic(), time.monotonic()]
        r = await client.post("/v1/holds", body, headers=auth)
        stats.hold_latency.append(time.perf_counter() - t)
        stats.hold_window[1] = time.monotonic()
        stats.hold_sent.append(stats.hold_window[1] - stats.hold_latency[-1])
        stats.hold_codes[r.status_code] += 1
        if r.status_code == 201:
            stats.placed_latency.append(stats.hold_latency[-1])
            stats.placed_at.append(stats.hold_window[1])
        if r.status_code == 201:
            hold_id = r.json()["id"]
            break
        if r.status_code == 409:
            avoid |= set(seats or []) | set(r.json().get("seats") or [])
            continue
        if r.status_code >= 500 or r.status_code in (401, 403, 429):
            stats.errors[f"hold {r.status_code}"] += 1
        break  # 422 no adjacent seats left, or an error: this customer leaves
    if hold_id is None:
        return
    t = time.perf_counter()
    if stats.first_checkout is None:
        stats.first_checkout = time.monotonic()
    r = await client.post(
        "/v1/checkout",
        {"hold_id": hold_id, "method": "card", "payment": {"card_number": CARD_OK}},
        headers=auth,
    )
    stats.checkout_latency.append(time.perf_counter() - t)
    stats.checkout_codes[r.status_code] += 1
    if r.status_code == 201 and r.json()["booking"]["status"] == "confirmed":
        stats.bookings += 1
        stats.seats_booked += len(r.json()["booking"]["tickets"])
        stats.booking_times.append(time.monotonic())
    elif r.status_code != 201:
        stats.errors[f"checkout {r.status_code}"] += 1


async def run_customers(port: int, tokens: list[str], args: argparse.Namespace) -> Stats:
    stats = Stats()
    seat_map = SeatMap()
    gate = asyncio.Semaphore(args.concurrency)
    deadline = time.monotonic() + args.seconds
    client = LoadClient("127.0.0.1", port, max_connections=args.concurrency)
    try:

        async def one(n: int, token: str) -> None:
            async with gate:
                if time.monotonic() > deadline:
                    return
                try:
                    await customer(n, token, client, seat_map, stats, args, deadline)
                except HttpError as err:
                    stats.errors[str(err).split(":")[1].strip()] += 1

        await asyncio.gather(*(one(n, t) for n, t in enumerate(tokens)))
    finally:
        await client.aclose()
    return stats


# --- checks --------------------------------------------------------------------------------
def check_database(engine, show_id: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from store.tables import bookings, outbox, show_seats

    with engine.connect() as conn:
        live = conn.execute(
            select(bookings.c.id, bookings.c.status, bookings.c.tickets).where(
                bookings.c.show_id == show_id, bookings.c.status.in_(["pending", "confirmed"])
            )
        ).all()
        sold = {
            r.seat_id: r.booking_id
            for r in conn.execute(
                select(show_seats.c.seat_id, show_seats.c.booking_id).where(
                    show_seats.c.show_id == show_id, show_seats.c.status == "sold"
                )
            )
        }
        pending_outbox = conn.execute(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.delivered_at.is_(None), outbox.c.failed_at.is_(None))
        ).scalar_one()
        failed_outbox = conn.execute(
            select(func.count()).select_from(outbox).where(outbox.c.failed_at.is_not(None))
        ).scalar_one()
        total_outbox = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    owners: dict[str, list[str]] = {}
    confirmed_seats: dict[str, str] = {}
    for b in live:
        for ticket in b.tickets:
            owners.setdefault(ticket["seat_id"], []).append(b.id)
            if b.status == "confirmed":
                confirmed_seats[ticket["seat_id"]] = b.id
    in_two = sum(1 for ids in owners.values() if len(ids) > 1)
    mismatched = sum(
        1 for s in set(sold) | set(confirmed_seats) if sold.get(s) != confirmed_seats.get(s)
    )
    return {
        "seats_in_two_live_bookings": in_two,
        "sold_vs_confirmed_mismatch": mismatched,
        "sold_seats": len(sold),
        "confirmed_bookings": sum(b.status == "confirmed" for b in live),
        "outbox_pending": pending_outbox,
        "outbox_failed": failed_outbox,
        "outbox_total": total_outbox,
    }


def wait_outbox(engine, seconds: float) -> None:
    from sqlalchemy import func, select

    from store.tables import outbox

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            left = conn.execute(
                select(func.count())
                .select_from(outbox)
                .where(outbox.c.delivered_at.is_(None), outbox.c.failed_at.is_(None))
            ).scalar_one()
        if not left:
            return
        time.sleep(0.5)


# --- report --------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--concurrency", type=int, default=200, help="requests in flight")
    ap.add_argument("--seconds", type=float, default=120.0, help="stop sending after this")
    ap.add_argument(
        "--map-share",
        type=float,
        default=0.1,
        help="share of customers who fetch the seat map themselves",
    )
    ap.add_argument(
        "--give-up-share",
        type=float,
        default=0.0,
        help="share of customers who leave when their map shows sold out "
        "(default 0: everyone still tries best-available)",
    )
    ap.add_argument(
        "--sql-concurrency", type=int, default=20, help="raw-SQL threads (each its own connection)"
    )
    ap.add_argument(
        "--log-level",
        default="WARNING",
        help="server LOG_LEVEL (INFO writes one JSON access line per request)",
    )
    ap.add_argument(
        "--opening",
        type=float,
        default=3.0,
        help="seconds counted as the opening rush in the extra latency line",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the database and server log")
    ap.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="run ONE sampled worker and write its hot functions to this file",
    )
    ap.add_argument("--serve-sampled", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_sampled:
        serve_sampled(int(args.serve_sampled[0]), Path(args.serve_sampled[1]))
        return 0

    from marquee import devservers
    from store.engine import make_engine

    workdir = Path(tempfile.mkdtemp(prefix="bench-flash-"))
    t0 = time.perf_counter()
    server, db_url = make_database()
    redis_url = devservers.private_redis_db(devservers.redis_server())
    engine = make_engine(db_url, pool_size=4)
    seats = create_shows(engine)
    tokens = create_customers(engine, args.customers)
    setup = time.perf_counter() - t0
    import redis as redis_lib

    redis_lib.Redis.from_url(redis_url).flushdb()  # our private db number: old counters go

    port = devservers._free_port()
    proc = start_api(db_url, redis_url, port, args.workers, args.log_level, workdir, args.profile)
    try:
        client_cpu = time.process_time()
        try:  # the load generator's own event loop: uvloop when installed (uvicorn's is)
            import uvloop

            stats = uvloop.run(run_customers(port, tokens, args))
        except ImportError:
            stats = asyncio.run(run_customers(port, tokens, args))
        client_cpu = time.process_time() - client_cpu
        wait_outbox(engine, 30)
    finally:
        stop_api(proc)
    checks = check_database(engine, API_SHOW)

    plans = [p for p in stats.seat_plans if p] or [["A1"]]
    raw = raw_sql_holds(
        devservers._libpq(db_url),
        SQL_SHOW,
        [plans[i % len(plans)] for i in range(len(stats.hold_latency))],
        args.sql_concurrency,
    )

    hold_seconds = (
        max(1e-9, stats.hold_window[1] - stats.hold_window[0])
        if stats.hold_window
        else float("nan")
    )
    holds_per_s = len(stats.hold_latency) / hold_seconds
    raw_per_s = raw.attempts / raw.seconds if raw.seconds else float("nan")
    booking_span = (
        (max(stats.booking_times) - stats.first_checkout)
        if stats.booking_times and stats.first_checkout
        else float("nan")
    )
    bookings_per_s = stats.bookings / booking_span if booking_span else float("nan")
    oversold = checks["seats_in_two_live_bookings"] + checks["sold_vs_confirmed_mismatch"]

    print(
        f"flash sale: {args.customers:,} customers, one {seats}-seat native show, "
        f"{args.workers} uvicorn workers, concurrency {args.concurrency}, PostgreSQL + Redis, "
        f"TASK_MODE=inprocess, LOG_LEVEL={args.log_level}  (setup {setup:.1f}s)"
    )
    print(
        "  tokens minted with api/security/tokens.py for users inserted directly (no argon2 "
        "logins); all traffic from 127.0.0.1, so RATE_LIMIT_*=" + GENEROUS
    )
    print(
        f"  load generator     {client_cpu:.1f} s of CPU for the customers (on the same 2 "
        "cores as the API, PostgreSQL and Redis)"
    )
    print(
        f"  hold requests      {len(stats.hold_latency):,} in {hold_seconds:.2f}s = "
        f"{holds_per_s:,.0f} holds/s   (answers: {dict(sorted(stats.hold_codes.items()))})"
    )
    print(
        f"  hold latency       p50 {pct(stats.hold_latency, 50):.0f} ms  "
        f"p95 {pct(stats.hold_latency, 95):.0f} ms  p99 {pct(stats.hold_latency, 99):.0f} ms"
        f"   (placed only: p50 {pct(stats.placed_latency, 50):.0f} ms, "
        f"p99 {pct(stats.placed_latency, 99):.0f} ms)"
    )
    if stats.hold_window:
        later = [
            lat
            for sent, lat in zip(stats.hold_sent, stats.hold_latency, strict=True)
            if sent - stats.hold_window[0] >= args.opening
        ]
        print(
            f"  after the opening  hold requests sent {args.opening:.0f}s or more after the "
            f"first: {len(later):,}, p50 {pct(later, 50):.0f} ms, p99 {pct(later, 99):.0f} ms"
        )
    if stats.placed_at and stats.hold_window:
        since = [t - stats.hold_window[0] for t in stats.placed_at]
        print(
            f"  holds placed at    half by {pct(since, 50) / 1000:.2f}s, 90 % by "
            f"{pct(since, 90) / 1000:.2f}s, the last {since[-1]:.2f}s after the first hold "
            "request"
        )
    print(
        f"  checkouts          {len(stats.checkout_latency):,}  "
        f"p50 {pct(stats.checkout_latency, 50):.0f} ms  "
        f"p99 {pct(stats.checkout_latency, 99):.0f} ms  "
        f"(answers: {dict(sorted(stats.checkout_codes.items()))})"
    )
    print(
        f"  completed bookings {stats.bookings:,} in {booking_span:.2f}s = "
        f"{bookings_per_s:,.0f} bookings/s  (first checkout sent -> last confirmation)"
    )
    print(
        f"  seat maps fetched  {len(stats.map_latency):,}  "
        f"p50 {pct(stats.map_latency, 50):.0f} ms  p99 {pct(stats.map_latency, 99):.0f} ms; "
        f"left on a sold-out map: {stats.gave_up_sold_out:,}"
    )
    print(
        f"  seats sold         {checks['sold_seats']} of {seats} "
        f"(customers counted {stats.seats_booked}); "
        f"confirmed bookings in the database {checks['confirmed_bookings']}"
    )
    print(
        f"  oversold           {oversold}  (seats in two live bookings: "
        f"{checks['seats_in_two_live_bookings']}; sold seats != seats of confirmed bookings: "
        f"{checks['sold_vs_confirmed_mismatch']})"
    )
    print(
        f"  outbox             {checks['outbox_total']:,} rows, "
        f"{checks['outbox_pending']} undelivered, {checks['outbox_failed']} failed "
        "(delivered by the in-process workers)"
    )
    if stats.errors:
        print(f"  errors             {dict(stats.errors)}")
    print(
        f"raw-SQL ceiling: {raw.attempts:,} conditional hold UPDATEs over psycopg, "
        f"{args.sql_concurrency} connections: {raw_per_s:,.0f} holds/s "
        f"(p50 {pct(raw.latencies, 50):.1f} ms, p99 {pct(raw.latencies, 99):.1f} ms; "
        f"{raw.held} won)"
    )
    print(f"  API / raw SQL      {holds_per_s / raw_per_s:.1%}")

    engine.dispose()
    if not args.keep:
        devservers.drop_database(server, db_url)
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"kept: {db_url} and {workdir}")
    return 1 if oversold else 0


if __name__ == "__main__":
    raise SystemExit(main())
