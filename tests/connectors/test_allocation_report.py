"""The allocation sales report reaches the theatre: filmdrop (export only, CSV over SFTP) sells
an allocation with a `sales_report`, and each sale or cancellation of an allocated seat leaves
the day's whole file in the theatre's inbox on its SFTP server, through the worker's outbox
relay. A server that is down gets the file when the relay retries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from booking.allocation_sales import COLUMNS
from booking.services import BookingService
from connectors import simulated
from connectors.catalog import import_catalog
from connectors.connector import get_connector, register
from connectors.link import link_resolver
from connectors.sales_report import reporting_connector
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from marquee.worker.report_consumers import ALLOCATION_SALES
from marquee.worker.runtime import WorkerRuntime
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from simulators.filmdrop import FilmDropSimulator
from store import outbox as outbox_sql
from store.tables import outbox, processed_messages, shows
from tests.connectors.helpers import free_seats, pick_show

INBOX = "/inbox"
REPORT = {"path": INBOX + "/marquee-sales-{date:%Y%m%d}.csv"}


@dataclass
class Rig:
    engine: Engine
    sim: FilmDropSimulator
    services: BookingService
    runtime: WorkerRuntime
    show_id: str
    session: str
    day: date
    allocated: list[str]

    def book(self, seats: list[str], customer: str = "cus_alloc_report") -> str:
        hold = self.services.place_hold(self.show_id, seats, customer_id=customer)
        result = self.services.checkout(hold.id, customer, details={"card_number": CARD_SUCCESS})
        return result.booking.code

    def report(self) -> list[dict[str, str]] | None:
        path = self.sim.root / INBOX.strip("/") / f"marquee-sales-{self.day:%Y%m%d}.csv"
        if not path.exists():
            return None
        text = path.read_bytes().decode("utf-8")
        assert text.splitlines()[0] == ",".join(COLUMNS)
        return list(csv.DictReader(io.StringIO(text)))


def _connect(engine: Engine, sim: FilmDropSimulator, **settings) -> None:
    register(
        engine,
        simulated.filmdrop(sim, attempts=1, read_timeout=3.0, connect_timeout=1.0, **settings),
    )


@pytest.fixture
def rig(engine: Engine, tmp_path: Path) -> Iterator[Rig]:
    with FilmDropSimulator(tmp_path / "drop", days=2, inbox=INBOX) as sim:
        sim.write_export(date.today(), malformed=False)
        _connect(engine, sim)
        import_catalog(get_connector(engine, "filmdrop"), days=2)
        show_id, _, session = pick_show(engine, "filmdrop")
        with engine.connect() as conn:
            screen_id, day = conn.execute(
                select(shows.c.screen_id, shows.c.business_date).where(shows.c.id == show_id)
            ).one()
        allocated = free_seats(engine, show_id, 3)
        _connect(
            engine,
            sim,
            online_sales="allocation",
            allocation={screen_id: allocated},
            sales_report=REPORT,
        )
        settings = Settings(
            database_url=str(engine.url),
            notify_dir=tmp_path / "notify",
            var_dir=tmp_path,
            outbox_max_attempts=5,
            outbox_retry_base_seconds=0,
        )
        services = BookingService(
            uow=build_hub(settings, engine=engine).unit_of_work,
            gateways=GatewayRegistry().add(OfflineGateway()),
            links=link_resolver(engine),
        )
        runtime = build_hub(settings, engine=engine, booking=services).runtime
        yield Rig(engine, sim, services, runtime, show_id, session, day, allocated)


def test_a_sale_and_a_cancellation_update_the_days_file_on_the_theatres_server(rig: Rig):
    assert rig.report() is None
    first, second, third = rig.allocated
    kept = rig.book([first, second])
    report = rig.runtime.relay.drain()
    assert report.failed == 0 and report.retried == 0
    lines = rig.report()
    assert [(r["seat_id"], r["booking_code"], r["status"]) for r in lines] == [
        (first, kept, "sold"),
        (second, kept, "sold"),
    ]
    assert {r["pos_show_ref"] for r in lines} == {rig.session}  # the POS's own session id
    assert {r["business_date"] for r in lines} == {rig.day.isoformat()}
    assert {(r["currency"], r["cancelled_at"]) for r in lines} == {("BRL", "")}
    assert all(r["show_start"].endswith("-03:00") for r in lines)  # São Paulo local time

    dropped = rig.book([third])
    rig.runtime.relay.drain()
    booking_id = rig.services.find_booking(dropped).id
    rig.services.cancel_booking(booking_id)
    report = rig.runtime.relay.drain()
    assert report.failed == 0
    lines = rig.report()
    assert [(r["seat_id"], r["booking_code"], r["status"]) for r in lines] == [
        (first, kept, "sold"),
        (second, kept, "sold"),
        (third, dropped, "cancelled"),
    ]
    assert lines[2]["cancelled_at"].endswith("-03:00")
    # Written under a temporary name, renamed over the old file: nothing else is left behind.
    inbox = rig.sim.root / INBOX.strip("/")
    assert sorted(p.name for p in inbox.iterdir()) == [f"marquee-sales-{rig.day:%Y%m%d}.csv"]


def test_a_server_that_is_down_gets_the_file_when_the_relay_retries(rig: Rig):
    rig.sim.server.stop()
    code = rig.book(rig.allocated[:1])
    report = rig.runtime.relay.drain(rounds=1)
    assert report.retried >= 1 and report.failed == 0
    assert rig.report() is None
    with rig.engine.connect() as conn:
        assert outbox_sql.counts(conn)["pending"] >= 1  # kept for the retry, not lost

    rig.sim.server.start()
    report = rig.runtime.relay.drain()
    assert report.failed == 0
    assert [(r["seat_id"], r["booking_code"]) for r in rig.report()] == [(rig.allocated[0], code)]
    with rig.engine.connect() as conn:
        assert outbox_sql.counts(conn)["pending"] == 0
        done = conn.execute(
            select(processed_messages.c.message_id).where(
                processed_messages.c.consumer == ALLOCATION_SALES
            )
        ).all()
    assert len(done) == 1  # the BookingConfirmed, uploaded once it could be


def test_a_folder_the_server_lacks_is_an_error_the_relay_keeps_retrying(rig: Rig, engine: Engine):
    config = get_connector(engine, "filmdrop").config
    _connect(
        engine,
        rig.sim,
        online_sales="allocation",
        allocation=config.settings["allocation"],
        sales_report={"path": INBOX + "/missing/marquee-sales-{date:%Y%m%d}.csv"},
    )
    rig.book(rig.allocated[:1])
    report = rig.runtime.relay.drain(rounds=1)
    assert report.retried >= 1 and report.failed == 0
    with engine.connect() as conn:
        errors = conn.execute(
            select(outbox.c.last_error).where(outbox.c.topic == "BookingConfirmed")
        ).scalars()
        assert any("no such folder" in (e or "") for e in errors)
    assert sorted(p.name for p in (rig.sim.root / INBOX.strip("/")).iterdir()) == []


def test_only_a_theatre_whose_connector_sends_a_report_concerns_the_consumer(rig: Rig):
    with rig.engine.connect() as conn:
        theatre_id = conn.execute(select(shows.c.theatre_id).where(shows.c.id == rig.show_id))
        assert reporting_connector(conn, theatre_id.scalar_one()) == "filmdrop"
        assert reporting_connector(conn, "thr_native_elsewhere") is None
