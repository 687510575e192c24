"""Sync benchmark: a country-sized catalog over SFTP into PostgreSQL, and push latency.

    .venv/bin/python bench/sync.py    # 2,000 theatres x 10 x 6 x 7 = 840,000 shows
    .venv/bin/python bench/sync.py --theatres 200 --sales 200   # a quick run

Part 1 starts the reelfeed simulator (CSV over SFTP) with the given size in its own process
(the POS is another machine; --sim-in-process runs it in this one), imports its whole catalog
through the csv_sftp connector (streamed schedule, COPY + upsert of shows and external ids on
PostgreSQL) and prints shows/s and the importer's peak memory (and the simulator's).
Part 2 starts the restline simulator and the webhook
server, sells N single seats at the box office one after another and measures the seconds
until each seat reads unavailable in Marquee (median and p99).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _db(url: str | None) -> tuple[str, callable]:
    from marquee import devservers
    from store.migrate import upgrade

    if url:
        upgrade(url)
        return url, lambda: None
    server = devservers.postgres_server()
    db = devservers.create_database(server, prefix="marquee_bench_sync")
    upgrade(db)
    return db, lambda: devservers.drop_database(server, db)


def _serve_reelfeed(args: dict, conn) -> None:
    """Child process: the reelfeed POS, serving its SFTP drop until told to stop."""
    from simulators.reelfeed import ReelfeedSimulator

    root = Path(tempfile.mkdtemp(prefix="bench-reelfeed-"))
    t0 = time.perf_counter()
    with ReelfeedSimulator(seed=11, root=root, snapshot_seconds=3600, **args) as sim:
        conn.send(
            {
                "host": sim.host,
                "port": sim.port,
                "username": sim.username,
                "password": sim.password,
                "known_hosts_line": sim.known_hosts_line,
                "files_seconds": time.perf_counter() - t0,
            }
        )
        conn.recv()  # stop
    conn.send(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _RemoteSim:
    """What connectors.simulated needs of a simulator, for one running in another process."""

    def __init__(self, info: dict) -> None:
        self.__dict__.update(info)


def bench_import(engine, args) -> None:
    from connectors import simulated
    from connectors.catalog import import_catalog
    from connectors.connector import get_connector, register

    size = {
        "cinemas": args.theatres,
        "screens": args.screens,
        "shows_per_day": args.shows_per_day,
        "days": args.days,
    }
    sim_peak = None
    if args.sim_in_process:
        from simulators.reelfeed import ReelfeedSimulator

        root = Path(tempfile.mkdtemp(prefix="bench-reelfeed-"))
        t0 = time.perf_counter()
        with ReelfeedSimulator(seed=11, root=root, snapshot_seconds=3600, **size) as sim:
            files = time.perf_counter() - t0
            report, took = _import(
                engine,
                simulated.reelfeed(sim, read_timeout=60),
                import_catalog,
                get_connector,
                register,
                args,
            )
    else:
        # The POS is another machine: its SFTP server runs in its own process, so it neither
        # shares this interpreter's lock nor counts in the importer's memory.
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve_reelfeed, args=(size, child), daemon=True)
        proc.start()
        info = parent.recv()
        files = info.pop("files_seconds")
        try:
            report, took = _import(
                engine,
                simulated.reelfeed(_RemoteSim(info), read_timeout=60),
                import_catalog,
                get_connector,
                register,
                args,
            )
        finally:
            parent.send("stop")
            sim_peak = parent.recv() if parent.poll(30) else None
            proc.join(30)
    shows = report.counts.get("show", {}).get("created", 0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"catalog over SFTP: {args.theatres} theatres x {args.screens} screens x "
        f"{args.shows_per_day} shows/day x {args.days} days"
    )
    print(f"  simulator wrote its files in {files:.1f}s")
    print(
        f"  imported {shows} shows in {took:.1f}s = {shows / took:,.0f} shows/s "
        f"(dead letters: {report.dead_letters})"
    )
    if sim_peak is None:
        print(f"  peak memory (whole process, simulator included): {peak_mb:,.0f} MB")
    else:
        print(f"  peak memory: importer {peak_mb:,.0f} MB; simulator process {sim_peak:,.0f} MB")


def _import(engine, config, import_catalog, get_connector, register, args):
    register(engine, config)
    connector = get_connector(engine, config.id)
    t1 = time.perf_counter()
    report = import_catalog(connector, days=args.days)
    took = time.perf_counter() - t1
    connector.close()
    return report, took


def bench_push(engine, args) -> None:
    from sqlalchemy import select

    from api.pushserver import PushServer
    from canonical import SeatStatus
    from connectors import simulated
    from connectors.catalog import import_catalog
    from connectors.connector import get_connector, register
    from simulators.restline import RestlineSimulator
    from store import seats as seat_store
    from store.tables import show_seats

    with (
        RestlineSimulator(seed=12, cinemas=2, screens=2, shows_per_day=4, days=3) as sim,
        PushServer(engine) as server,
    ):
        register(engine, simulated.restline(sim, connector_id="restline-bench"))
        connector = get_connector(engine, "restline-bench")
        import_catalog(connector, days=3)
        sim.set_push_target(server.url("restline-bench"), "restline-hook")
        from store import sync as sql

        with engine.connect() as conn:
            targets = []
            for show_id in sql.shows_between(conn, "restline-bench", _now(), _now(days=4)):
                ext = sql.external_for(conn, "restline-bench", "show", show_id)
                theatre = sql.theatre_of_show(conn, show_id)
                cinema = sql.external_for(conn, "restline-bench", "theatre", theatre["id"])
                seats = [
                    r.seat_id
                    for r in seat_store.seat_rows(conn, show_id, _now())
                    if r.status == SeatStatus.AVAILABLE
                ]
                targets.extend((show_id, cinema[1], ext[1], s) for s in seats)
        targets = targets[: args.sales]
        latencies = []
        for show_id, cinema, session, seat in targets:
            a, r, c = (int(x) for x in seat.split("-"))
            start = time.perf_counter()
            sim.box_office.sell(cinema, session, [(a, r, c)])
            while True:
                with engine.connect() as conn:
                    status = conn.execute(
                        select(show_seats.c.status).where(
                            show_seats.c.show_id == show_id, show_seats.c.seat_id == seat
                        )
                    ).scalar()
                # No row yet means the show's inventory was never written: still available.
                if status not in (None, "available"):
                    break
                if time.perf_counter() - start > 10:
                    break
                time.sleep(0.002)
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(f"push sync, box-office sale -> unavailable in Marquee over {len(latencies)} sales:")
    print(f"  median {statistics.median(latencies):.3f}s  p99 {p99:.3f}s  max {latencies[-1]:.3f}s")


def _now(days: int = 0):
    from datetime import timedelta

    from canonical.time import utcnow

    return utcnow() + timedelta(days=days)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--theatres", type=int, default=2000)
    parser.add_argument("--screens", type=int, default=10)
    parser.add_argument("--shows-per-day", type=int, default=6)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--sales", type=int, default=1000)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL (default: a throwaway database)"
    )
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-push", action="store_true")
    parser.add_argument(
        "--sim-in-process",
        action="store_true",
        help="run the SFTP simulator in this process (it then competes with "
        "the importer for the interpreter and counts in its memory)",
    )
    args = parser.parse_args()
    from store.engine import make_engine

    url, drop = _db(args.database_url)
    engine = make_engine(url)
    try:
        if not args.skip_import:
            bench_import(engine, args)
        if not args.skip_push:
            bench_push(engine, args)
    finally:
        engine.dispose()
        drop()


if __name__ == "__main__":
    main()
