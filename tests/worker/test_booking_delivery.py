"""Booking's events delivered from a real outbox (SQLite and PostgreSQL) by the worker runtime:
POS commit and release at a loopback legacy POS, e-ticket notifications, the final-failure path
(refund + conflict), the hold-expiry sweep, duplicate delivery, the in-process runner."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from booking.clock import ManualClock
from booking.services import BookingService
from canonical.orders import BookingStatus, PaymentStatus
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from marquee.worker.inprocess import InProcessRunner
from marquee.worker.runtime import WorkerRuntime
from notifications import FileChannel
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store import outbox as sql
from store.engine import make_engine
from store.tables import outbox, processed_messages, sync_conflicts

from .loopback_pos import HttpPosLink, LoopbackPos
from .world import NOW, seed


@dataclass
class World:
    settings: Settings
    engine: Engine
    pos: LoopbackPos
    services: BookingService
    runtime: WorkerRuntime
    clock: ManualClock
    notify_dir: Path

    def mail(self, channel: str = "email") -> list[dict]:
        return FileChannel(self.notify_dir, channel).read()

    def topics(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r.topic for r in conn.execute(select(outbox.c.topic).order_by(outbox.c.id))]

    def book(self, customer: str = "cus_ta", seats: tuple[str, ...] = ("C5", "C6")):
        hold = self.services.place_hold("shw_sample", list(seats), customer_id=customer)
        return self.services.checkout(
            hold.id, customer, details={"card_number": CARD_SUCCESS}
        ).booking


@pytest.fixture
def world(db_url: str, tmp_path: Path):
    settings = Settings(
        database_url=db_url,
        notify_dir=tmp_path / "notify",
        var_dir=tmp_path,
        outbox_max_attempts=3,
        outbox_retry_base_seconds=0,
    )
    engine = make_engine(db_url, pool_size=4)
    seed(engine, settings)
    pos = LoopbackPos().start()
    link = HttpPosLink(pos.url, timeout=5)
    clock = ManualClock(NOW)
    services = BookingService(
        uow=build_hub(settings, engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=lambda theatre: link,
        clock=clock,
    )
    runtime = build_hub(settings, engine=engine, booking=services).runtime
    yield World(settings, engine, pos, services, runtime, clock, tmp_path / "notify")
    pos.stop()
    engine.dispose()


def test_confirmation_commits_at_the_pos_once_then_sends_the_e_ticket(world: World) -> None:
    booking = world.book()
    report = world.runtime.relay.drain()
    assert report.failed == 0 and report.retried == 0

    assert list(world.pos.state.sales) == [f"sale:{booking.id}"]
    committed = world.services.get_booking(booking.id)
    assert committed.status == BookingStatus.CONFIRMED and committed.remote_ref == "ORD1|PN1"
    assert world.topics().count("SaleCommitted") == 1
    [mail] = world.mail()
    assert (mail["kind"], mail["language"], mail["to"]) == (
        "booking_confirmed",
        "ta",
        "kavin@example.com",
    )
    assert booking.code in mail["subject"] and "C5, C6" in mail["body"]
    assert mail["attachments"] == [f"ticket-{booking.code}.png"]
    assert [m["to"] for m in world.mail("sms")] == ["+919876543210"]
    with world.engine.connect() as conn:
        assert sql.counts(conn)["pending"] == 0 and sql.counts(conn)["failed"] == 0

    # Every event delivered again (a redelivery after a crash): no consumer acts twice.
    calls, rows = len(world.pos.state.calls), len(world.topics())
    with world.engine.connect() as conn:
        messages = [sql.get(conn, i) for i in conn.execute(select(outbox.c.id)).scalars()]
    for message in messages:
        world.runtime.dispatcher(message)
    assert len(world.pos.state.calls) == calls
    assert len(world.mail()) == 1 and len(world.mail("sms")) == 1
    assert len(world.topics()) == rows


def test_a_pos_commit_that_finally_fails_is_refunded_and_raised_as_a_conflict(world) -> None:
    booking = world.book(customer="cus_en")
    world.pos.state.down = True  # the hold went through; the commit will not
    world.runtime.relay.drain()

    assert world.pos.state.confirm_calls() == 3  # outbox_max_attempts
    assert world.services.get_booking(booking.id).status == BookingStatus.FAILED
    with world.engine.connect() as conn:
        row = sql.by_event_id(
            conn,
            next(
                r.event_id
                for r in conn.execute(select(outbox.c.event_id, outbox.c.topic))
                if r.topic == "BookingConfirmed"
            ),
        )
        conflicts = conn.execute(select(sync_conflicts)).all()
        counts = sql.counts(conn)
    assert row.failed_at is not None and "PosUnavailable" in (row.last_error or "")
    assert counts == {"pending": 0, "delivered": len(world.topics()) - 1, "failed": 1}
    assert [(c.kind, c.status, c.detail["booking_id"]) for c in conflicts] == [
        ("sale_commit_failed", "open", booking.id)
    ]
    payments = [world.services.get_payment(p) for p in _payment_ids(world)]
    assert [p.status for p in payments] == [PaymentStatus.REFUNDED]
    # No e-ticket for a sale the theatre never took; the refund mail instead.
    assert [m["kind"] for m in world.mail()] == ["refund_issued"]


def _payment_ids(world: World) -> list[str]:
    from store.tables import payments

    with world.engine.connect() as conn:
        return list(conn.execute(select(payments.c.id)).scalars())


def test_expired_hold_is_released_at_the_pos_by_the_sweep(world: World) -> None:
    hold = world.services.place_hold("shw_sample", ["D1", "D2"], customer_id="cus_en")
    assert world.runtime.sweep() == 0
    world.clock.advance(minutes=30)
    assert world.runtime.sweep() == 1
    world.runtime.relay.drain()
    assert list(world.pos.state.releases) == [f"release:hold:{hold.id}"]
    assert world.pos.state.holds[f"hold:{hold.id}"]["live"] is False
    with world.engine.connect() as conn:
        done = conn.execute(
            select(func.count())
            .select_from(processed_messages)
            .where(processed_messages.c.consumer == "booking.handlers.release_at_theatre")
        ).scalar_one()
    assert done == 1


def test_the_in_process_runner_delivers_without_being_asked(world: World) -> None:
    runner = InProcessRunner(world.runtime, relay_interval=0.05).start()
    try:
        booking = world.book()
        deadline = time.monotonic() + 15
        while not world.mail() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
    assert not runner.running
    assert [m["subject"] for m in world.mail()][0].endswith(booking.code)
    assert list(world.pos.state.sales) == [f"sale:{booking.id}"]
    assert runner.ticks >= 1
