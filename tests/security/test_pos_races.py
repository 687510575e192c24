"""Races with the POS end in a consistent state. Replayed against the restline simulator with its
latency knob (a slow POS), through the real connector link, on PostgreSQL:

- a cancel that lands while the POS is still committing the sale ends with the POS sale undone
  (or, when the POS will not take the cancel, a sync conflict for admins) - never a refunded
  booking whose seats the POS keeps sold;
- a POS hold whose answer timed out is released at the POS by its idempotency key, although no
  order reference ever came back;
- seats a refusal does not name are never marked sold here on a guess.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, select

from booking import errors
from booking import events as ev
from booking.clock import SystemClock
from booking.handlers import HandlerContext, release_at_theatre
from booking.ports import PosRefused, RemoteHold
from booking.services import BookingService
from canonical.inventory import SeatStatus
from canonical.orders import BookingStatus
from connectors import connector as connector_mod
from connectors.catalog import import_catalog
from connectors.link import link_resolver
from connectors.resilience import reset_breakers
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store.engine import make_engine
from store.tables import sync_conflicts
from store.uow import SqlUnitOfWorkFactory
from tests.booking.sql_world import sql_service
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import free_seats, pick_show, pos

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(fresh_pg_url: str) -> Iterator[Engine]:
    eng = make_engine(fresh_pg_url, pool_size=8)
    yield eng
    connector_mod.forget(eng)
    reset_breakers()
    eng.dispose()


@pytest.fixture
def sim() -> Iterator:
    from simulators.restline import RestlineSimulator

    with RestlineSimulator(seed=3, cinemas=1, screens=1, shows_per_day=2, days=3) as running:
        yield running


def _world(engine: Engine, sim, **settings):
    connector = connect_restline(engine, sim, **settings)
    import_catalog(connector)
    seen: list[ev.Event] = []
    service = BookingService(
        SqlUnitOfWorkFactory(engine),
        GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
        clock=SystemClock(),
        on_commit=seen.extend,
    )
    # The last show: far enough ahead to be cancellable.
    show_id, cinema, session = pick_show(engine, "restline", index=-1)
    return service, seen, show_id, cinema, session


def test_cancel_during_a_slow_pos_commit_undoes_the_pos_sale(engine, sim):
    service, _, show_id, cinema, session = _world(engine, sim, read_timeout=5.0, attempts=1)
    seats = free_seats(engine, show_id, 2)
    hold = service.place_hold(show_id, seats, customer_id="cus_1")
    booking = service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS}).booking
    assert booking.status == BookingStatus.CONFIRMED
    sim.set_knobs(latency_ms=1500)  # the POS takes its time over the sale
    committing = threading.Thread(target=service.commit_sale, args=(booking.id,))
    committing.start()
    time.sleep(0.5)
    cancelled = service.cancel_booking(booking.id, "cus_1")  # lands mid-commit
    assert cancelled.booking.status == BookingStatus.CANCELLED
    service.cancel_at_theatre(booking.id)  # the handler of BookingCancelled: nothing to cancel yet
    committing.join(timeout=20)
    sim.set_knobs(latency_ms=0)
    at_pos = {sim.seat_status(cinema, session, pos(s)) for s in seats}
    with engine.connect() as conn:
        conflicts = conn.execute(select(sync_conflicts.c.kind)).scalars().all()
    # Consistent: the POS sells none of the refunded seats (or admins were told it does).
    assert at_pos == {"free"} or conflicts, (at_pos, conflicts)
    assert at_pos == {"free"}


def test_timed_out_pos_hold_is_released_by_its_key(engine, sim):
    service, seen, show_id, cinema, session = _world(engine, sim, read_timeout=0.3, attempts=1)
    seats = free_seats(engine, show_id, 2)
    sim.set_knobs(latency_ms=800)
    with pytest.raises(errors.TheatreUnavailable):
        service.place_hold(show_id, seats, customer_id="cus_1")
    sim.set_knobs(latency_ms=0)
    time.sleep(1.0)  # the POS made the hold after we stopped waiting
    assert {sim.seat_status(cinema, session, pos(s)) for s in seats} == {"held"}
    released = [e for e in seen if isinstance(e, ev.HoldReleased)]
    assert len(released) == 1 and released[0].remote_ref is None  # no order ref came back
    release_at_theatre(released[0], HandlerContext(services=service))
    assert {sim.seat_status(cinema, session, pos(s)) for s in seats} == {"free"}
    # Delivered again (at least once delivery): still fine.
    release_at_theatre(released[0], HandlerContext(services=service))
    assert {sim.seat_status(cinema, session, pos(s)) for s in seats} == {"free"}


@dataclass
class VaguePos:
    """A POS whose refusals name no seats (e.g. a generic rejection)."""

    calls: list[str] = field(default_factory=list)

    def hold(self, show, seats, hold_seconds, idempotency_key) -> RemoteHold:
        self.calls.append(idempotency_key)
        raise PosRefused([], "request rejected")

    def confirm(self, show, remote_ref, booking_code, amount, idempotency_key):  # pragma: no cover
        raise AssertionError("not reached")

    def release(self, show, remote_ref, idempotency_key) -> None:  # pragma: no cover
        return None

    def cancel(self, show, remote_ref, idempotency_key) -> None:  # pragma: no cover
        return None


def test_a_refusal_naming_no_seats_marks_nothing_sold(fresh_pg_url):
    service, engine, _, _ = sql_service(fresh_pg_url)
    vague = VaguePos()
    service.links = lambda theatre: vague
    with pytest.raises(errors.SeatsUnavailable):
        service.place_hold("shw_sample", ["C5", "C6"], customer_id="cus_1")
    assert vague.calls
    seat_map = service.seat_map("shw_sample")
    assert {seat_map.status("C5"), seat_map.status("C6")} == {SeatStatus.AVAILABLE}
    engine.dispose()
