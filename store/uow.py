"""The SQL unit of work: one connection, one transaction, booking's repositories on it, and the
transactional outbox (events emitted in the unit are inserted in the same transaction).

    factory = SqlUnitOfWorkFactory(make_engine(url))
    service = BookingService(factory, gateways=...)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Self

from sqlalchemy import Connection, Engine, insert

from booking.events import Event
from canonical.time import utcnow
from store.repositories import (
    CatalogCache,
    SqlBookings,
    SqlCatalog,
    SqlCustomers,
    SqlHolds,
    SqlPayments,
    SqlSeats,
)
from store.tables import outbox


def outbox_rows(events: list[Event], now: datetime) -> list[dict]:
    return [
        {
            "event_id": e.event_id,
            "topic": e.name,
            "payload": e.model_dump(mode="json"),
            "created_at": now,
            "available_at": now,
        }
        for e in events
    ]


class SqlUnitOfWork:
    def __init__(
        self,
        engine: Engine,
        *,
        catalog_cache: CatalogCache | None = None,
        decrypt: Callable[[str], str] | None = None,
    ) -> None:
        self.engine = engine
        self._catalog_cache = catalog_cache if catalog_cache is not None else CatalogCache()
        self._decrypt = decrypt
        self.conn: Connection | None = None
        self._pending: list[Event] = []
        self._committed: list[Event] = []

    def __enter__(self) -> Self:
        self.conn = self.engine.connect()
        self._tx = self.conn.begin()
        conn = self.conn
        self.catalog = SqlCatalog(conn, self._catalog_cache)
        self.seats = SqlSeats(conn)
        self.holds = SqlHolds(conn)
        self.bookings = SqlBookings(conn)
        self.payments = SqlPayments(conn)
        self.customers = SqlCustomers(conn, self._decrypt)
        self._pending = []
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.conn is not None
        try:
            if self._tx.is_active:
                self._tx.rollback()
        finally:
            self.conn.close()
            self.conn = None

    def emit(self, *events: Event) -> None:
        self._pending.extend(events)

    def commit(self) -> None:
        assert self.conn is not None, "commit outside `with`"
        if self._pending:
            self.conn.execute(insert(outbox), outbox_rows(self._pending, utcnow()))
        self._tx.commit()
        self._committed, self._pending = self._pending, []
        self._tx = self.conn.begin()

    def rollback(self) -> None:
        assert self.conn is not None, "rollback outside `with`"
        self._tx.rollback()
        self._pending = []
        self._tx = self.conn.begin()

    def collect_new_events(self) -> Iterator[Event]:
        events, self._committed = self._committed, []
        yield from events


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine, *, decrypt: Callable[[str], str] | None = None) -> None:
        self.engine = engine
        self.decrypt = decrypt
        self._catalog_cache = CatalogCache()

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, catalog_cache=self._catalog_cache, decrypt=self.decrypt)
