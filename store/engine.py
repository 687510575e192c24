"""Engines for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and point them at psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read seat maps while a hold commits; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# --- read replicas --------------------------------------------------------------------------
# How far behind the primary a streaming replica is, in seconds: 0 when it has replayed all it
# received (an idle primary sends nothing, so the last replay time alone would look stale), else
# the age of the last replayed transaction (unknown, so "very far behind", when it has replayed
# none since it started). None on a server that is not a replica.
REPLICA_LAG_SQL = text(
    "select case when not pg_is_in_recovery() then null"
    " when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0"
    " else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 1e9) end"
)


class StaleReads:
    """Where reads that tolerate staleness go (catalog, show lists): a replica while its lag is
    within `max_lag` seconds, else the primary. The lag is looked up at most every `check_every`
    seconds per process. Nothing that sells a seat reads through here: holds and checkouts use
    the primary engine, whose conditional updates decide."""

    def __init__(
        self, primary: Engine, replica: Engine | None, max_lag: float, check_every: float = 1.0
    ) -> None:
        self.primary, self.replica = primary, replica
        self.max_lag, self.check_every = max_lag, check_every
        self._checked_at = -1e9
        self._replica_ok = False

    def engine(self) -> Engine:
        if self.replica is None:
            return self.primary
        now = time.monotonic()
        if now - self._checked_at >= self.check_every:
            self._checked_at = now
            self._replica_ok = self._lag_within_bound()
        return self.replica if self._replica_ok else self.primary

    def _lag_within_bound(self) -> bool:
        assert self.replica is not None
        try:
            with self.replica.connect() as conn:
                lag = conn.execute(REPLICA_LAG_SQL).scalar()
        except DBAPIError:
            return False  # a replica that does not answer is not used
        return lag is not None and float(lag) <= self.max_lag
