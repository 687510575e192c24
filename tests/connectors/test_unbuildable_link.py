"""A connector that cannot be built (its secret is not set) sells nothing online: the seat map
still answers, closed, and a hold is refused before any seat is taken."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from booking.errors import SalesClosedOnline
from booking.services import BookingService
from connectors import connector as connector_mod
from connectors import simulated
from connectors.catalog import import_catalog
from connectors.connector import get_connector, register
from connectors.link import link_resolver
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import OfflineGateway
from payments.registry import GatewayRegistry
from store.tables import holds
from tests.connectors.conftest import FAST
from tests.connectors.helpers import free_seats, pick_show, status


def test_a_connector_missing_its_secret_sells_nothing_and_the_seat_map_answers(
    engine, restline_sim, monkeypatch
):
    register(engine, simulated.restline(restline_sim, **FAST))
    import_catalog(get_connector(engine, "restline"))
    show_id, _, _ = pick_show(engine, "restline", 1)
    seats = free_seats(engine, show_id, 2)
    # The token's environment variable goes away (a deployment that lost its secret).
    config = get_connector(engine, "restline").config
    for ref in config.secret_refs.values():
        if ref.startswith("env:"):
            monkeypatch.delenv(ref.removeprefix("env:"), raising=False)
    connector_mod.forget(engine)

    services = BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )
    assert services.seat_map(show_id).sales_open is False
    with pytest.raises(SalesClosedOnline) as refused:
        services.place_hold(show_id, seats, customer_id="cus_lost_secret")
    assert "not usable" in refused.value.detail
    assert [status(engine, show_id, s) for s in seats] == ["available"] * 2
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(holds)).scalar_one() == 0
