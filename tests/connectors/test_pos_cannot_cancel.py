"""A POS that sells for Marquee but cannot cancel a sale (no `cancel` capability) keeps a
customer from cancelling a booking committed there: freeing its seats online would re-sell
seats the POS still counts as sold. A POS that can cancel lets the customer cancel."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from booking.errors import BookingNotCancellable
from booking.services import BookingService
from connectors import simulated
from connectors.catalog import import_catalog
from connectors.connector import get_connector, register
from connectors.link import link_resolver
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from tests.connectors.conftest import FAST
from tests.connectors.helpers import free_seats, pick_show, status

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def _restline_without_cancel(folder: Path) -> str:
    shutil.copytree(MAPPINGS / "lookups", folder / "lookups")
    (folder / "restline").mkdir()
    text = (MAPPINGS / "restline" / "mapping.yaml").read_text()
    text = text.replace(
        "capabilities: [hold, sell, release, cancel, export]",
        "capabilities: [hold, sell, release, export]",
    )
    head, _ = text.split("\n  cancel:\n")  # the cancel operation ends the file
    path = folder / "restline" / "mapping.yaml"
    path.write_text(head + "\n")
    return str(path)


@pytest.mark.parametrize("can_cancel", [True, False])
def test_cancelling_a_booking_sold_through_the_pos_needs_its_cancel(
    engine, restline_sim, tmp_path, can_cancel
):
    config = simulated.restline(restline_sim, **FAST)
    if not can_cancel:
        config = replace(config, mapping=_restline_without_cancel(tmp_path))
    register(engine, config)
    connector = get_connector(engine, "restline")
    assert ("cancel" in connector.mapping.capabilities) is can_cancel
    import_catalog(connector)
    show_id, _, _ = pick_show(engine, "restline", index=-1)  # long before its cut-off
    seats = free_seats(engine, show_id, 2)
    services = BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )
    hold = services.place_hold(show_id, seats, customer_id="cus_cancel")
    assert hold.remote_ref  # held at the POS
    booking = services.checkout(
        hold.id, "cus_cancel", details={"card_number": CARD_SUCCESS}
    ).booking
    assert services.commit_sale(booking.id)  # sold at the POS

    if can_cancel:
        assert services.cancel_booking(booking.id, "cus_cancel").booking.status.value == (
            "cancelled"
        )
        assert [status(engine, show_id, s) for s in seats] == ["available"] * 2
    else:
        with pytest.raises(BookingNotCancellable) as refused:
            services.cancel_booking(booking.id, "cus_cancel")
        assert refused.value.extra["reason"] == "theatre_cannot_cancel"
        assert services.get_booking(booking.id).status.value == "confirmed"
        assert [status(engine, show_id, s) for s in seats] == ["sold"] * 2
