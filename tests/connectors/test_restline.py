"""restline (REST/JSON) end to end against its simulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from booking.ports import PosRefused
from canonical import Money
from connectors.catalog import import_catalog, import_localization
from connectors.inventory import poll_inventory, reconcile
from connectors.link import PosLink
from store import catalog
from store import sync as sql
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import (
    counts,
    free_seats,
    pick_show,
    pos,
    snapshot,
    status,
    wait_for,
)


def test_catalog_import_is_idempotent(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    first = import_catalog(connector)
    assert first.dead_letters == 0
    assert first.counts["theatre"]["created"] == 2
    assert first.counts["show"]["created"] == 2 * 2 * 2 * 2
    before = snapshot(engine)
    again = import_catalog(connector)
    assert again.changed == 0
    assert snapshot(engine) == before
    with engine.connect() as conn:
        theatre = catalog.list_theatres(conn)[0]
        assert theatre.connector_id == "restline"
        assert theatre.timezone == "Asia/Kolkata"


def test_localization_import_adds_languages(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    report = import_localization(connector)
    assert report.dead_letters == 0
    with engine.connect() as conn:
        movie = catalog.list_movies(conn)[0] if catalog.list_movies(conn) else None
        movie_id = movie.id if movie else pick_movie(conn)
        full = catalog.get_movie(conn, movie_id)
    assert len(full.title.values) >= 2
    assert import_localization(connector).changed == 0


def pick_movie(conn):
    from sqlalchemy import select

    from store.tables import movies

    return conn.execute(select(movies.c.id).order_by(movies.c.id)).scalar()


def test_box_office_sale_arrives_by_push_within_two_seconds(engine, restline_sim, push_server):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    restline_sim.set_push_target(push_server.url("restline"), "restline-hook")
    show_id, cinema, session = pick_show(engine, "restline")
    seat = free_seats(engine, show_id, 1)[0]
    restline_sim.box_office.sell(cinema, session, [pos(seat)])
    took = wait_for(lambda: status(engine, show_id, seat) == "sold", timeout=2.0)
    assert took < 2.0
    assert restline_sim.pusher.wait_idle()
    assert restline_sim.pusher.log[-1].status == 200


def test_push_with_a_bad_signature_is_refused(engine, restline_sim, push_server):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    restline_sim.set_push_target(push_server.url("restline"), "not-the-secret")
    show_id, cinema, session = pick_show(engine, "restline")
    seat = free_seats(engine, show_id, 1)[0]
    restline_sim.box_office.sell(cinema, session, [pos(seat)])
    assert restline_sim.pusher.wait_idle()
    assert restline_sim.pusher.log[-1].status == 401
    assert status(engine, show_id, seat) == "available"
    # ... and nothing is lost: the next poll of the event feed brings the sale in.
    report = poll_inventory(connector)
    assert report.seats_changed >= 1
    assert status(engine, show_id, seat) == "sold"


def test_sale_arrives_after_one_poll_and_cursor_advances(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline")
    seats = free_seats(engine, show_id, 2)
    restline_sim.box_office.sell(cinema, session, [pos(s) for s in seats])
    poll_inventory(connector)
    assert [status(engine, show_id, s) for s in seats] == ["sold", "sold"]
    with engine.connect() as conn:
        cursor = sql.get_cursor(conn, "restline", "seat_events")
    assert cursor is not None and int(cursor) >= 2
    # Released at the box office: the look-back re-read is harmless, the release applies.
    restline_sim.box_office.release(cinema, session, [pos(seats[0])])
    poll_inventory(connector)
    assert status(engine, show_id, seats[0]) == "available"
    assert status(engine, show_id, seats[1]) == "sold"


def test_marquee_hold_is_held_at_the_pos_and_refusals_name_seats(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline")
    seats = free_seats(engine, show_id, 2)
    link = PosLink(connector)
    with engine.connect() as conn:
        show = catalog.get_show(conn, show_id)
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    chosen = [s for s in layout.seats() if s.id in seats]
    remote = link.hold(show, chosen, 480, "hold-key-1")
    assert remote.ref
    assert [restline_sim.seat_status(cinema, session, pos(s)) for s in seats] == ["held", "held"]
    assert link.hold(show, chosen, 480, "hold-key-1").ref == remote.ref  # idempotent
    with pytest.raises(PosRefused) as refused:
        link.hold(show, chosen[:1], 480, "hold-key-2")
    assert refused.value.seat_ids == [seats[0]]
    number = link.confirm(
        show, remote.ref, "MQ7K2P9X", Money(amount=50000, currency="INR"), "sale-1"
    )
    assert number.startswith("RB-")
    assert restline_sim.seat_status(cinema, session, pos(seats[0])) == "sold"
    link.cancel(show, remote.ref, "cancel-1")
    assert restline_sim.seat_status(cinema, session, pos(seats[0])) == "free"


def test_reconcile_repairs_drift_and_records_conflicts(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline")
    seats = free_seats(engine, show_id, 2)
    # Marquee sold seats[0] to a customer (booking) ...
    from sqlalchemy import update

    from store.seats import ensure_inventory
    from store.tables import show_seats

    with engine.begin() as conn:
        ensure_inventory(conn, show_id)  # imported shows get seat rows on first write
        conn.execute(
            update(show_seats)
            .where(show_seats.c.show_id == show_id, show_seats.c.seat_id == seats[0])
            .values(status="sold", booking_id="bkg_1")
        )
    # ... and the box office sold seats[1], with no push and no poll: drift.
    restline_sim.box_office.sell(cinema, session, [pos(seats[1])])
    assert status(engine, show_id, seats[1]) == "available"
    report = reconcile(connector, hours=24 * 3)
    assert report.shows >= 1
    assert status(engine, show_id, seats[1]) == "sold"
    # The POS reports our booked seat free: a conflict with the action taken, booking kept.
    with engine.connect() as conn:
        conflicts = sql.list_conflicts(conn, "restline")
    assert any(c["seat_id"] == seats[0] and c["action_taken"] for c in conflicts)
    assert status(engine, show_id, seats[0]) == "sold"
    before = counts(engine)
    again = reconcile(connector, hours=24 * 3)
    assert again.seats_changed == 0
    assert counts(engine)["dead_letters"] == before["dead_letters"]
