"""Online sales at a legacy theatre, end to end against each shipped POS simulator: the POS
echoes every step of our own hold -> sell sequence (held, then sold) through its push, its event
feed or its snapshot files, and none of that is a conflict. A real box-office sale of a seat a
customer booked is exactly one conflict.

Polls run at the awkward moments: while seats are held, after payment but before the POS commit,
and after it, so stale and intermediate reports all reach the sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from api.pushserver import PushServer
from booking.services import BookingService
from canonical.orders import BookingStatus
from canonical.time import utcnow
from connectors import connector as connector_mod
from connectors.catalog import import_catalog
from connectors.connector import Connector
from connectors.inventory import poll_inventory, reconcile
from connectors.link import link_resolver
from connectors.resilience import reset_breakers
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from marquee.worker.runtime import WorkerRuntime
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store.engine import make_engine
from store.tables import sync_conflicts
from tests.connectors.conftest import connect_reelfeed, connect_restline, connect_soapbox
from tests.connectors.helpers import pick_show, status, wait_for

BOOKINGS = 50


@dataclass
class Rig:
    name: str
    sim: object
    engine: Engine
    connector: Connector
    services: BookingService
    runtime: WorkerRuntime
    push: bool

    def poll(self) -> None:
        if self.name == "reelfeed":
            self.sim.write_snapshot_now()
        poll_inventory(self.connector)

    def conflicts(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(sync_conflicts))]

    def pos_seat(self, seat_id: str) -> tuple[int, int, int]:
        area, row, col = (int(x) for x in seat_id.split("-"))
        return (1 if self.name == "reelfeed" else area), row, col


def _sim(name: str, root: Path):
    if name == "restline":
        from simulators.restline import RestlineSimulator

        return RestlineSimulator(seed=3, cinemas=1, screens=1, shows_per_day=2, days=2)
    if name == "soapbox":
        from simulators.soapbox import SoapboxSimulator

        return SoapboxSimulator(seed=4, cinemas=1, screens=1, shows_per_day=2, days=2)
    from simulators.reelfeed import ReelfeedSimulator

    return ReelfeedSimulator(
        seed=5,
        cinemas=1,
        screens=1,
        shows_per_day=2,
        days=2,
        root=root / "drop",
        snapshot_seconds=0.05,
        poll_seconds=0.01,
    )


CONNECT = {"restline": connect_restline, "soapbox": connect_soapbox, "reelfeed": connect_reelfeed}


@pytest.fixture(params=["restline", "soapbox", "reelfeed"])
def rig(request, sqlite_url: str, tmp_path: Path) -> Iterator[Rig]:
    name = request.param
    engine = make_engine(sqlite_url)
    settings = Settings(
        database_url=sqlite_url,
        notify_dir=tmp_path / "notify",
        var_dir=tmp_path,
        outbox_max_attempts=2,
        outbox_retry_base_seconds=0,
    )
    with _sim(name, tmp_path) as sim:
        connector = CONNECT[name](engine, sim)
        import_catalog(connector)
        services = BookingService(
            uow=build_hub(settings, engine=engine).unit_of_work,
            gateways=GatewayRegistry().add(OfflineGateway()),
            links=link_resolver(engine),
        )
        runtime = build_hub(settings, engine=engine, booking=services).runtime
        push = name != "reelfeed"
        if push:
            with PushServer(engine) as server:
                secret = "restline-hook" if name == "restline" else sim.push_secret
                sim.set_push_target(server.url(name), secret)
                yield Rig(name, sim, engine, connector, services, runtime, push)
        else:
            yield Rig(name, sim, engine, connector, services, runtime, push)
    connector_mod.forget(engine)
    reset_breakers()
    engine.dispose()


def _seats(rig: Rig, show_id: str) -> list[str]:
    """Free ordinary seats, in layout order (so single-seat bookings leave no gaps)."""
    with rig.engine.connect() as conn:
        from store import catalog
        from store.seats import seat_rows

        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
        states = {r.seat_id: r.status.value for r in seat_rows(conn, show_id, utcnow())}
    return [
        s.id for s in layout.seats() if not s.flags and states.get(s.id, "available") == "available"
    ]


def _book(rig: Rig, show_id: str, seat_ids: list[str], customer: str):
    hold = rig.services.place_hold(show_id, seat_ids, customer_id=customer)
    return rig.services.checkout(hold.id, customer, details={"card_number": CARD_SUCCESS}).booking


def test_fifty_online_sales_raise_no_conflict_and_a_box_office_sale_raises_one(rig: Rig):
    show_id, cinema, session = pick_show(rig.engine, rig.name)
    reconcile(rig.connector, hours=72)  # house seats and the like, as the POS has them
    free = _seats(rig, show_id)
    assert len(free) >= BOOKINGS
    booked = []
    for i in range(BOOKINGS):
        if i % 10 == 5:
            # Seats held at the POS, one booking paid but not yet committed there.
            hold = rig.services.place_hold(show_id, [free[i]], customer_id=f"cus_{i}")
            rig.poll()
            booking = rig.services.checkout(
                hold.id, f"cus_{i}", details={"card_number": CARD_SUCCESS}
            ).booking
            rig.poll()
        else:
            booking = _book(rig, show_id, [free[i]], f"cus_{i}")
        assert booking.status == BookingStatus.CONFIRMED
        booked.append(booking)
        if i % 10 == 9:
            rig.runtime.relay.drain()  # commits the sales at the POS
            rig.poll()
    rig.runtime.relay.drain()
    rig.poll()
    reconcile(rig.connector, hours=72)
    rig.poll()
    committed = [rig.services.get_booking(b.id) for b in booked]
    assert all(b.remote_ref for b in committed)
    assert [rig.sim.seat_status(cinema, session, rig.pos_seat(s)) for s in free[:BOOKINGS]] == [
        "sold"
    ] * BOOKINGS
    assert [(c["kind"], c["seat_id"], c["detail"]) for c in rig.conflicts()] == []

    if rig.push:
        # The box office sells a booked (and committed) seat over the online sale.
        seat = free[0]
        rig.sim.box_office.sell(cinema, session, [rig.pos_seat(seat)], force=True)
        wait_for(lambda: len(rig.conflicts()) > 0, timeout=3.0)
    else:
        # No push from a file drop: the box office sells the seat while the customer's sale
        # waits for its POS commit, so the commit is refused.
        seat = free[BOOKINGS]
        booking = _book(rig, show_id, [seat], "cus_late")
        rig.sim.box_office.sell(cinema, session, [rig.pos_seat(seat)], force=True)
        rig.poll()
        rig.runtime.relay.drain()
        assert rig.services.get_booking(booking.id).status == BookingStatus.FAILED
    rig.poll()
    reconcile(rig.connector, hours=72)
    rig.poll()
    conflicts = rig.conflicts()
    assert len(conflicts) == 1, [(c["kind"], c["seat_id"], c["detail"]) for c in conflicts]
    expected = "pos_sold_booked_seat" if rig.push else "sale_commit_failed"
    assert conflicts[0]["kind"] == expected
    assert status(rig.engine, show_id, seat) == "sold"
