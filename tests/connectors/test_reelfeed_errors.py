"""reelfeed `ERROR` acks are transient: the request changed nothing at the POS and its
RequestId may be retried (docs/legacy-systems.md), so booking answers 503 + Retry-After and
keeps the seats, instead of treating them as refused (sold)."""

from __future__ import annotations

import pytest

from booking.errors import TheatreUnavailable
from booking.ports import PosUnavailable
from booking.services import BookingService
from connectors.catalog import import_catalog
from connectors.link import PosLink, link_resolver
from connectors.resilience import reset_breakers
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import OfflineGateway
from payments.registry import GatewayRegistry
from store import catalog
from tests.connectors.conftest import connect_reelfeed
from tests.connectors.helpers import free_seats, pick_show, status


def _rc(seat_id: str) -> tuple[int, int, int]:
    _, r, c = seat_id.split("-")
    return 1, int(r), int(c)


def test_error_ack_is_pos_unavailable_and_the_same_request_id_succeeds_later(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed")
    seats = free_seats(engine, show_id, 2)
    with engine.connect() as conn:
        show = catalog.get_show(conn, show_id)
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    chosen = [s for s in layout.seats() if s.id in seats]
    link = PosLink(connector)
    reelfeed_sim.set_knobs(error_rate=1.0)  # every request answered `ERROR` ("POS busy")
    with pytest.raises(PosUnavailable) as caught:
        link.hold(show, chosen, 600, "rf-err-1")
    assert caught.value.retry_after and caught.value.retry_after > 0
    assert [reelfeed_sim.seat_status(site, show_ext, _rc(s)) for s in seats] == ["free"] * 2
    reelfeed_sim.set_knobs(error_rate=0.0)
    reset_breakers()
    link.hold(show, chosen, 600, "rf-err-1")  # the same RequestId, applied now
    assert [reelfeed_sim.seat_status(site, show_ext, _rc(s)) for s in seats] == ["held"] * 2


def test_booking_answers_theatre_unavailable_and_keeps_the_seats_free(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed")
    seats = free_seats(engine, show_id, 2)
    services = BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )
    reelfeed_sim.set_knobs(error_rate=1.0)
    with pytest.raises(TheatreUnavailable) as caught:
        services.place_hold(show_id, seats, customer_id="cus_rf")
    assert caught.value.retry_after and caught.value.retry_after > 0
    # Not a refusal: the seats were released, not marked sold as a POS "no" would.
    assert [status(engine, show_id, s) for s in seats] == ["available"] * 2
    # Retrying later works (booking's `hold:<id>` keys are valid reelfeed RequestIds).
    reelfeed_sim.set_knobs(error_rate=0.0)
    reset_breakers()
    services.place_hold(show_id, seats, customer_id="cus_rf")
    assert [reelfeed_sim.seat_status(site, show_ext, _rc(s)) for s in seats] == ["held"] * 2
