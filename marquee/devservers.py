"""Real PostgreSQL and Redis for tests and benchmarks.

PostgreSQL: uses the server TEST_DATABASE_URL / DATABASE_URL (or the localhost default) points
at, only to create and drop databases of its own (unique names, dropped after use); when none
answers, starts a throwaway server. Redis: always a throwaway redis-server on a free loopback port,
since callers flush it. Throwaway servers live in a temporary directory and stop at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_answers(url: str) -> bool:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _libpq(url: str) -> str:
    """A SQLAlchemy URL (maybe postgresql+psycopg://) as a libpq connection string."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise RuntimeError(f"PostgreSQL is not reachable and {name} is not installed")
    return found


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def start_throwaway_postgres() -> str:
    workdir = Path(tempfile.mkdtemp(prefix="marquee-pg-"))
    datadir = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    subprocess.run(
        _as_postgres_user(
            [_pg_bin("initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(
        _as_postgres_user(
            [
                _pg_bin("postgres"),
                "-D",
                str(datadir),
                "-p",
                str(port),
                "-k",
                str(workdir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=300",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    for _ in range(100):
        if _pg_answers(url):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("throwaway PostgreSQL did not start")

    def stop() -> None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(stop)
    return url


def postgres_server(configured: str | None = None) -> str:
    """An admin URL of a PostgreSQL server we may create databases on.

    `configured` (default: TEST_DATABASE_URL or DATABASE_URL) names the server; the database in
    it is only connected to, never written: callers create databases of their own.
    """
    if configured is None:
        configured = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    candidate = configured if configured.startswith("postgres") else DEFAULT_PG
    if _pg_answers(candidate):
        return candidate
    return start_throwaway_postgres()


def create_database(
    server_url: str, prefix: str = "marquee_test", template: str | None = None
) -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def start_throwaway_redis() -> str:
    """Start a private redis-server on a free loopback port; stopped and removed at exit."""
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="marquee-redis-")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        if _redis_answers(url):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError("throwaway Redis did not start")

    def stop() -> None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(stop)
    return url


def redis_server() -> str:
    """A Redis server that belongs to the caller alone: always a throwaway one.

    The configured REDIS_URL is deliberately ignored: tests and benchmarks flush their
    databases, and a shared server holds somebody else's data.
    """
    return start_throwaway_redis()


def private_redis_db(server_url: str) -> str:
    """A Redis URL for one caller on a server from `redis_server()` (ours to flush)."""
    return make_url(server_url).set(database="0").render_as_string(hide_password=False)
