"""An export-only POS (cuecloud has no operations) never leaves a live hold behind: a hold
is refused as "theatre unavailable" and the seats taken locally are released."""

from __future__ import annotations

import pytest

from booking.errors import TheatreUnavailable
from booking.services import BookingService
from connectors.catalog import import_catalog
from connectors.connector import get_connector
from connectors.link import link_resolver
from marquee.settings import Settings
from marquee.worker.runtime import sql_unit_of_work
from payments.offline import OfflineGateway
from payments.registry import GatewayRegistry
from tests.connectors.helpers import free_seats, pick_show, status
from tests.connectors.test_cuecloud import connected, sim  # noqa: F401 - fixtures


def test_hold_on_an_export_only_pos_is_unavailable_and_releases(engine, connected):  # noqa: F811
    import_catalog(get_connector(engine, "cuecloud"), days=2)
    show_id, _, _ = pick_show(engine, "cuecloud")
    seats = free_seats(engine, show_id, 2)
    services = BookingService(
        uow=sql_unit_of_work(Settings(database_url=str(engine.url)), engine),
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )
    with pytest.raises(TheatreUnavailable) as caught:
        services.place_hold(show_id, seats, customer_id="cus_export_only")
    assert "no operation 'hold'" in str(caught.value) or caught.value.retry_after
    assert [status(engine, show_id, s) for s in seats] == ["available"] * 2
