"""Seats the POS reports held (box-office reservations) stay held until the POS says otherwise:
Marquee's hold TTL and its expiry sweep never free them, while Marquee's own online holds keep
their TTL. A seat snapshot file is applied once per fingerprint, yet local state that drifted
from the POS's last word is repaired on the next poll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update

from booking.clock import ManualClock
from booking.errors import SeatsUnavailable
from booking.services import BookingService
from canonical.time import utcnow
from connectors.catalog import import_catalog
from connectors.inventory import poll_inventory
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import OfflineGateway
from payments.registry import GatewayRegistry
from store import catalog
from store.tables import show_seats, shows
from tests.connectors.conftest import connect_reelfeed
from tests.connectors.helpers import free_seats, status

# Past Marquee's default hold TTL (8 minutes) and the 20 minutes POS holds used to last.
LATER = timedelta(minutes=45)


def _show_starting_later(engine: Engine) -> tuple[str, str, str]:
    """(show id, site, POS show id) of a reelfeed show still on sale after LATER."""
    from store import sync as sql

    with engine.connect() as conn:
        show_id = (
            conn.execute(
                select(shows.c.id)
                .where(shows.c.start_at > utcnow() + LATER + timedelta(hours=1))
                .order_by(shows.c.start_at, shows.c.id)
            )
            .scalars()
            .first()
        )
        assert show_id is not None
        show = catalog.get_show(conn, show_id)
        site = sql.external_for(conn, "reelfeed", "theatre", show.theatre_id)
        ext = sql.external_for(conn, "reelfeed", "show", show_id)
    assert site and ext
    return show_id, site[1], ext[1]


def _rc(seat_id: str) -> tuple[int, int, int]:
    _, r, c = seat_id.split("-")
    return 1, int(r), int(c)


def _service(engine: Engine, clock: ManualClock) -> BookingService:
    # No theatre link: what is checked is Marquee's own inventory decision, not the POS's.
    return BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        clock=clock,
    )


def _poll_until(connector, predicate) -> None:
    for _ in range(20):
        poll_inventory(connector)
        if predicate():
            return
    raise AssertionError("the POS's word did not arrive")


def test_a_box_office_reservation_outlives_the_hold_ttl_until_the_pos_frees_it(
    engine, reelfeed_sim
):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = _show_starting_later(engine)
    reserved, other = free_seats(engine, show_id, 2)
    reelfeed_sim.box_office.reserve(site, show_ext, [_rc(reserved)])
    assert reelfeed_sim.write_snapshot_now() is not None
    _poll_until(connector, lambda: status(engine, show_id, reserved) == "held")

    clock = ManualClock(utcnow() + LATER)
    service = _service(engine, clock)
    service.expire_holds()
    with pytest.raises(SeatsUnavailable) as refused:
        service.place_hold(show_id, [reserved], customer_id="cus_late")
    assert refused.value.seat_ids == [reserved]
    assert service.seat_map(show_id).status(reserved).value == "held"

    # Marquee's own online hold still expires by its TTL.
    own = service.place_hold(show_id, [other], customer_id="cus_online")
    clock.advance(seconds=own.expires_at.timestamp() - clock.now().timestamp() + 1)
    assert service.expire_holds() == 1
    assert service.seat_map(show_id).status(other).value == "available"

    reelfeed_sim.box_office.release(site, show_ext, [_rc(reserved)])
    assert reelfeed_sim.write_snapshot_now() is not None
    _poll_until(connector, lambda: status(engine, show_id, reserved) == "available")
    hold = service.place_hold(show_id, [reserved], customer_id="cus_after")
    assert hold.seat_ids == (reserved,)


def test_a_snapshot_seen_before_is_not_reapplied_but_drift_from_it_is_repaired(
    engine, reelfeed_sim
):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = _show_starting_later(engine)
    reserved, sold = free_seats(engine, show_id, 2)
    reelfeed_sim.box_office.reserve(site, show_ext, [_rc(reserved)])
    reelfeed_sim.box_office.sell(site, show_ext, [_rc(sold)])
    written = reelfeed_sim.write_snapshot_now()
    assert written is not None
    _poll_until(
        connector,
        lambda: [status(engine, show_id, s) for s in (reserved, sold)] == ["held", "sold"],
    )

    # The same file again (same name and bytes), nothing drifted: nothing is applied.
    written.write_bytes(written.read_bytes())
    again = poll_inventory(connector)
    assert (again.deltas, again.seats_changed) == (0, 0)

    # Local state drifts from the POS's word (both seats freed here, not at the POS).
    with engine.begin() as conn:
        conn.execute(
            update(show_seats)
            .where(show_seats.c.show_id == show_id, show_seats.c.seat_id.in_([reserved, sold]))
            .values(status="available", hold_id=None, hold_expires_at=None)
        )
    assert [status(engine, show_id, s) for s in (reserved, sold)] == ["available"] * 2

    repaired = poll_inventory(connector)
    assert repaired.seats_changed == 2
    assert [status(engine, show_id, s) for s in (reserved, sold)] == ["held", "sold"]
    assert poll_inventory(connector).seats_changed == 0
