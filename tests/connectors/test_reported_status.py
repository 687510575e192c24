"""A show the POS still lists but reports cancelled is cancelled by the next catalog import,
as a vanished one is (kept, with a conflict for admins, when it has bookings); reported again
as open it is scheduled again. A show reported sold out stays listed but is not sold online."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.errors import SalesClosedOnline
from booking.services import BookingService
from connectors.catalog import import_catalog
from connectors.link import link_resolver
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store import sync as sql
from store.tables import shows
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import free_seats, pick_show


def _status(engine, show_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(shows.c.status).where(shows.c.id == show_id)).scalar_one()


def _services(engine) -> BookingService:
    return BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )


def test_a_show_reported_cancelled_is_cancelled_and_reinstated_when_reported_open(
    engine, restline_sim
):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 1)
    key = (cinema, restline_sim.session_number(cinema, session))
    restline_sim.session_status[key] = "Cancelled"
    report = import_catalog(connector)
    assert report.schedule_sweep.cancelled == [show_id]
    assert _status(engine, show_id) == "cancelled"

    restline_sim.session_status[key] = "Open"
    report = import_catalog(connector)
    assert report.schedule_sweep.reinstated == [show_id]
    assert _status(engine, show_id) == "scheduled"


def test_a_booked_show_reported_cancelled_is_kept_as_a_conflict(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 0)
    services = _services(engine)
    hold = services.place_hold(show_id, free_seats(engine, show_id, 2), customer_id="cus_rs")
    booking = services.checkout(hold.id, "cus_rs", details={"card_number": CARD_SUCCESS}).booking
    restline_sim.session_status[(cinema, restline_sim.session_number(cinema, session))] = (
        "Cancelled"
    )
    report = import_catalog(connector)
    assert report.schedule_sweep.cancelled == [] and len(report.schedule_sweep.conflicts) == 1
    assert _status(engine, show_id) == "scheduled"
    with engine.connect() as conn:
        conflict = next(
            c
            for c in sql.list_conflicts(conn, "restline")
            if c["kind"] == "pos_cancelled_show_with_bookings"
        )
    assert conflict["show_id"] == show_id and conflict["detail"]["bookings"] == [booking.id]


def test_a_show_reported_sold_out_is_listed_but_not_sold_online(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 1)
    restline_sim.session_status[(cinema, restline_sim.session_number(cinema, session))] = "SoldOut"
    assert import_catalog(connector).schedule_sweep.cancelled == []
    assert _status(engine, show_id) == "scheduled"
    with pytest.raises(SalesClosedOnline) as refused:
        _services(engine).place_hold(show_id, free_seats(engine, show_id, 1), customer_id="c")
    assert refused.value.extra["reason"] == "sold_out"
