"""Reads that tolerate staleness may go to a streaming replica; a hold never succeeds on replica
data. The test starts its own PostgreSQL primary and a real streaming replica of it
(pg_basebackup -R) on free loopback ports, from the installed binaries."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from marquee import devservers

pytestmark = pytest.mark.postgres

JWT = "replica-test-secret-0123456789abcdef0123"
KEY = "replica-test-encryption-key-0123456789abcd"


def _bin(name: str) -> str:
    try:
        return devservers._pg_bin(name)
    except RuntimeError:
        pytest.skip(f"PostgreSQL binaries are not installed ({name})")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(datadir: Path, port: int, sockdir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        _as_postgres(
            [
                _bin("postgres"),
                "-D",
                str(datadir),
                "-p",
                str(port),
                "-k",
                str(sockdir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "hot_standby_feedback=on",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(url: str, proc: subprocess.Popen) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"PostgreSQL at {url} exited")
        if devservers._pg_answers(url):
            return
        time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL at {url} did not start")


@pytest.fixture(scope="module")
def primary_and_replica() -> Iterator[tuple[str, str]]:
    work = Path(tempfile.mkdtemp(prefix="marquee-replica-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    procs: list[subprocess.Popen] = []
    try:
        subprocess.run(
            _as_postgres(
                [
                    _bin("initdb"),
                    "-D",
                    str(work / "p"),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        p_port, r_port = _port(), _port()
        procs.append(_start(work / "p", p_port, work))
        base = "postgresql://postgres@127.0.0.1:{}/{}"
        _wait(base.format(p_port, "postgres"), procs[0])
        with contextlib.closing(
            __import__("psycopg").connect(base.format(p_port, "postgres"), autocommit=True)
        ) as conn:
            conn.execute("create database marquee")
        from store.migrate import upgrade

        upgrade(base.format(p_port, "marquee"))
        subprocess.run(
            _as_postgres(
                [
                    _bin("pg_basebackup"),
                    *("-D", str(work / "r"), "-h", "127.0.0.1", "-p", str(p_port)),
                    *("-U", "postgres", "-R", "-X", "stream", "-c", "fast"),
                ]
            ),
            check=True,
            capture_output=True,
        )
        procs.append(_start(work / "r", r_port, work))
        _wait(base.format(r_port, "marquee"), procs[1])
        yield base.format(p_port, "marquee"), base.format(r_port, "marquee")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def _caught_up(replica_engine, seconds: float = 10) -> None:
    from store.engine import REPLICA_LAG_SQL

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with replica_engine.connect() as conn:
            if conn.execute(REPLICA_LAG_SQL).scalar() == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def test_stale_reads_use_the_replica_only_within_the_lag_bound(primary_and_replica) -> None:
    from store.engine import REPLICA_LAG_SQL, StaleReads, make_engine

    primary_url, replica_url = primary_and_replica
    primary, replica = make_engine(primary_url, pool_size=2), make_engine(replica_url, pool_size=2)
    try:
        with primary.connect() as conn:
            assert conn.execute(REPLICA_LAG_SQL).scalar() is None  # not a replica
        _caught_up(replica)
        reads = StaleReads(primary, replica, max_lag=0.5, check_every=0)
        assert reads.engine() is replica
        with replica.connect() as conn:
            conn.execute(text("select pg_wal_replay_pause()"))
        try:
            with primary.begin() as conn:
                conn.execute(text("create table lag_probe (n int)"))
            time.sleep(0.8)  # the replica has received it, not replayed it: lag grows
            assert reads.engine() is primary
        finally:
            with replica.connect() as conn:
                conn.execute(text("select pg_wal_replay_resume()"))
        _caught_up(replica)
        assert reads.engine() is replica
        assert StaleReads(primary, None, max_lag=5).engine() is primary
    finally:
        primary.dispose()
        replica.dispose()


def test_a_hold_never_succeeds_on_replica_data(primary_and_replica, monkeypatch) -> None:
    """The replica still shows a seat free that the primary has held: the catalog may read the
    replica, but the second hold of that seat is refused, because holds decide on the primary."""
    from api.app import create_app
    from bench.cluster_sale import create_sale
    from marquee.bootstrap import build_hub
    from marquee.settings import Settings
    from store.engine import make_engine

    primary_url, replica_url = primary_and_replica
    primary, replica = make_engine(primary_url, pool_size=2), make_engine(replica_url, pool_size=2)
    env = {"JWT_SECRET": JWT, "ENCRYPTION_KEY": KEY}
    show_id, (alice, bob) = create_sale(primary, env, 2, rows=2, cols=5)
    _caught_up(replica)
    settings = Settings(
        database_url=primary_url,
        replica_database_url=replica_url,
        replica_max_lag_seconds=3600,  # the replica is always "fresh enough" here
        marquee_env="development",
        jwt_secret=JWT,
        encryption_key=KEY,
        availability_snapshot_seconds=0,
    )
    hub = build_hub(settings)
    app = create_app(hub, run_worker=False)
    try:
        with TestClient(app) as client, replica.connect() as rconn:
            seats = client.get(f"/v1/shows/{show_id}/seat-map").json()["seats"]
            seat = seats[0]["id"]
            rconn.execute(text("select pg_wal_replay_pause()"))
            try:
                first = client.post(
                    "/v1/holds",
                    json={"show_id": show_id, "seat_ids": [seat]},
                    headers={"Authorization": f"Bearer {alice}"},
                )
                assert first.status_code == 201, first.text
                # The catalog reads the replica: it answers, from data without the hold.
                assert hub.stale_reads.engine() is hub.stale_reads.replica
                assert client.get(f"/v1/shows/{show_id}").status_code == 200
                stale = rconn.execute(
                    text("select status from show_seats where show_id = :s and seat_id = :seat"),
                    {"s": show_id, "seat": seat},
                ).scalar_one()
                assert stale == "available"  # the replica has not seen alice's hold
                second = client.post(
                    "/v1/holds",
                    json={"show_id": show_id, "seat_ids": [seat]},
                    headers={"Authorization": f"Bearer {bob}"},
                )
                assert second.status_code == 409, second.text
            finally:
                rconn.execute(text("select pg_wal_replay_resume()"))
        with primary.connect() as conn:
            holders = conn.execute(
                text("select hold_id from show_seats where show_id = :s and seat_id = :seat"),
                {"s": show_id, "seat": seat},
            ).scalar_one()
        assert holders == first.json()["id"]
    finally:
        primary.dispose()
        replica.dispose()
        hub.engine.dispose()
