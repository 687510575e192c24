"""The canonical ids of the shows a POS listed in one import, kept in the database.

A country-sized schedule lists ~840,000 shows: a Python set of their ids grew the importer's
memory with the catalog. The ids go instead into a session temporary table on one connection
held for the import (COPY on PostgreSQL, batched inserts elsewhere), and the schedule sweep
compares against it in SQL (connectors.schedule_sweep). Each add commits on its own: the
listing is not part of a payload's transaction; a payload that rolls back leaves its ids here,
which is harmless because an import with dead letters never sweeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from sqlalchemy import Column, Engine, MetaData, String, Table, insert, select

CHUNK = 2000

_meta = MetaData()
# No primary key: a show can be listed twice (two POS ids resolving to one show), and COPY
# must not fail on that; the sweep only asks EXISTS.
listed = Table("_listed_shows", _meta, Column("id", String, nullable=False), prefixes=["TEMPORARY"])


class ListedShows:
    """A temp table on a dedicated connection; close() (or `with`) drops both."""

    def __init__(self, engine: Engine) -> None:
        self.conn = engine.connect()
        self.postgres = self.conn.dialect.name == "postgresql"
        self.count = 0
        try:
            # A pooled session may still hold one from an import that could not drop it.
            self.conn.exec_driver_sql("DROP TABLE IF EXISTS _listed_shows")
            listed.create(self.conn, checkfirst=False)
            if not self.postgres:
                # PostgreSQL gets its index after the load (analyze()), COPY stays cheaper.
                self.conn.exec_driver_sql("CREATE INDEX _listed_shows_id ON _listed_shows (id)")
            self.conn.commit()
        except Exception:
            self.conn.close()
            raise

    def add(self, ids: Iterable[str]) -> None:
        rows = list(ids)
        if not rows:
            return
        if self.postgres:
            cursor = self.conn.connection.dbapi_connection.cursor()
            try:
                with cursor.copy("COPY _listed_shows (id) FROM STDIN") as copy:
                    for show_id in rows:
                        copy.write_row((show_id,))
            finally:
                cursor.close()
        else:
            for i in range(0, len(rows), CHUNK):
                self.conn.execute(insert(listed), [{"id": x} for x in rows[i : i + CHUNK]])
        self.conn.commit()
        self.count += len(rows)

    def __bool__(self) -> bool:
        return self.count > 0

    def analyze(self) -> None:
        """Fresh statistics before the sweep's anti-join (temp tables are not auto-analyzed)."""
        if self.postgres:
            # Built after the load (cheaper than maintained through COPY): without it a
            # misestimated plan probed the whole table per show (minutes at 200 theatres).
            self.conn.exec_driver_sql(
                "CREATE INDEX IF NOT EXISTS _listed_shows_id ON _listed_shows (id)"
            )
            self.conn.exec_driver_sql("ANALYZE _listed_shows")
            self.conn.commit()

    def ids(self) -> set[str]:
        """Every listed id (tests and small connectors only: it loads them all)."""
        return set(self.conn.execute(select(listed.c.id)).scalars())

    def close(self) -> None:
        try:
            self.conn.rollback()
            self.conn.exec_driver_sql("DROP TABLE IF EXISTS _listed_shows")
            self.conn.commit()
        finally:
            self.conn.close()

    def __enter__(self) -> ListedShows:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
