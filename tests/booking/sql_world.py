"""A booking service on a real database (SQLite or PostgreSQL) with the sample theatre."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from booking.clock import ManualClock
from booking.samples import sample_layout, sample_show, sample_theatre
from booking.services import BookingService
from canonical import Movie, Screen
from canonical.catalog import TheatreRules
from canonical.text import LocalizedText
from payments.offline import OfflineGateway
from payments.registry import GatewayRegistry
from store import catalog
from store.engine import make_engine
from store.uow import SqlUnitOfWorkFactory

NOW = datetime.now(UTC).replace(microsecond=0)


def seed(
    engine,
    *,
    rules: TheatreRules | None = None,
    rows: int = 5,
    per_row: int = 10,
    start: datetime | None = None,
) -> None:
    layout = sample_layout(rows=rows, per_row=per_row)
    with engine.begin() as conn:
        catalog.save_theatre(conn, sample_theatre(rules=rules))
        catalog.save_screen(
            conn,
            Screen(id="scr_sample", theatre_id="thr_sample", name="Audi 1", layout_id=layout.id),
        )
        catalog.save_layout(conn, layout)
        catalog.save_movie(
            conn,
            Movie(
                id="mov_sample",
                title=LocalizedText(values={"en": "M"}),
                original_language="ta",
                runtime_minutes=150,
            ),
        )
        catalog.save_show(conn, sample_show(start=start or NOW + timedelta(days=2)), layout)


def sql_service(
    url: str, *, pool_size: int = 5, rules: TheatreRules | None = None, **seed_kw
) -> tuple[BookingService, object, OfflineGateway, ManualClock]:
    engine = make_engine(url, pool_size=pool_size)
    seed(engine, rules=rules, **seed_kw)
    gateway = OfflineGateway()
    clock = ManualClock(NOW)
    service = BookingService(
        SqlUnitOfWorkFactory(engine), GatewayRegistry().add(gateway), clock=clock
    )
    return service, engine, gateway, clock
