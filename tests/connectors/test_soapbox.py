"""soapbox (SOAP 1.1 via zeep and the WSDL) end to end against its simulator."""

from __future__ import annotations

import pytest
import requests

from booking.ports import PosRefused
from canonical import Money
from connectors.catalog import import_catalog
from connectors.inventory import PushRejected, receive_push, reconcile
from connectors.link import PosLink
from store import catalog
from tests.connectors.conftest import connect_soapbox
from tests.connectors.helpers import counts, free_seats, pick_show, pos, snapshot, status, wait_for

NS = "urn:soapbox:ticketing:2"


def _callback(cinema: str, session: str, seat: tuple[int, int, int], body_extra: str = "") -> bytes:
    a, r, c = seat
    return (
        f'<?xml version="1.0"?>{body_extra}<soap:Envelope xmlns:soap='
        f'"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><SeatStatusChanged '
        f'xmlns="{NS}"><CinemaId>{cinema}</CinemaId><SessionId>{session}</SessionId>'
        f"<Sequence>9</Sequence><Seats><Seat><AreaNumber>{a}</AreaNumber><RowIndex>{r}"
        f"</RowIndex><ColumnIndex>{c}</ColumnIndex><Status>Sold</Status></Seat></Seats>"
        f"</SeatStatusChanged></soap:Body></soap:Envelope>"
    ).encode()


def test_catalog_import_is_idempotent(engine, soapbox_sim):
    connector = connect_soapbox(engine, soapbox_sim)
    first = import_catalog(connector)
    assert first.dead_letters == 0 and first.counts["show"]["created"] == 16
    before = snapshot(engine)
    assert import_catalog(connector).changed == 0
    assert snapshot(engine) == before


def test_box_office_sale_arrives_by_callback_within_two_seconds(engine, soapbox_sim, push_server):
    connector = connect_soapbox(engine, soapbox_sim)
    import_catalog(connector)
    soapbox_sim.set_push_target(push_server.url("soapbox"), soapbox_sim.push_secret)
    show_id, cinema, session = pick_show(engine, "soapbox")
    seat = free_seats(engine, show_id, 1)[0]
    soapbox_sim.box_office.sell(cinema, session, [pos(seat)])
    assert wait_for(lambda: status(engine, show_id, seat) == "sold", timeout=2.0) < 2.0


def test_callback_needs_the_key(engine, soapbox_sim, push_server):
    connector = connect_soapbox(engine, soapbox_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "soapbox")
    seat = free_seats(engine, show_id, 1)[0]
    answer = requests.post(
        push_server.url("soapbox"),
        data=_callback(cinema, session, pos(seat)),
        headers={"X-Soapbox-Key": "wrong"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert status(engine, show_id, seat) == "available"


def test_hold_confirm_cancel_at_the_pos(engine, soapbox_sim):
    connector = connect_soapbox(engine, soapbox_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "soapbox")
    seats = free_seats(engine, show_id, 2)
    with engine.connect() as conn:
        show = catalog.get_show(conn, show_id)
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    chosen = [s for s in layout.seats() if s.id in seats]
    link = PosLink(connector)
    remote = link.hold(show, chosen, 600, "soap-hold-1")
    assert [soapbox_sim.seat_status(cinema, session, pos(s)) for s in seats] == ["held", "held"]
    with pytest.raises(PosRefused) as refused:
        link.hold(show, chosen, 600, "soap-hold-2")
    assert sorted(refused.value.seat_ids) == sorted(seats)
    number = link.confirm(
        show, remote.ref, "MQABC123", Money(amount=50000, currency="INR"), "soap-sale-1"
    )
    assert number
    assert soapbox_sim.seat_status(cinema, session, pos(seats[0])) == "sold"
    link.cancel(show, remote.ref, "soap-cancel-1")
    assert soapbox_sim.seat_status(cinema, session, pos(seats[0])) == "free"


def test_malformed_and_entity_expansion_callbacks_are_dead_letters(engine, soapbox_sim):
    connector = connect_soapbox(engine, soapbox_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "soapbox")
    seat = free_seats(engine, show_id, 1)[0]
    key = {"X-Soapbox-Key": soapbox_sim.push_secret}
    before = counts(engine)["dead_letters"]
    # Truncated XML.
    receive_push(connector, key, _callback(cinema, session, pos(seat))[:-40])
    # A billion-laughs style payload: entities must never expand.
    bomb = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
        '&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
        '&lol2;&lol2;&lol2;&lol2;">]>'
    )
    receive_push(
        connector,
        key,
        _callback(cinema, session, pos(seat), bomb).replace(
            f"<CinemaId>{cinema}</CinemaId>".encode(), b"<CinemaId>&lol3;</CinemaId>"
        ),
    )
    # A seat the show does not have.
    receive_push(connector, key, _callback(cinema, session, (9, 99, 99)))
    assert counts(engine)["dead_letters"] >= before + 3
    assert status(engine, show_id, seat) == "available"
    with pytest.raises(PushRejected):
        receive_push(connector, {}, _callback(cinema, session, pos(seat)))


def test_reconcile_repairs_box_office_drift(engine, soapbox_sim):
    connector = connect_soapbox(engine, soapbox_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "soapbox")
    seat = free_seats(engine, show_id, 1)[0]
    soapbox_sim.box_office.sell(cinema, session, [pos(seat)])
    reconcile(connector, hours=72)
    assert status(engine, show_id, seat) == "sold"
    assert reconcile(connector, hours=72).seats_changed == 0
