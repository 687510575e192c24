"""Conflict resolution with real effects, through HTTP as admin, against the restline
simulator: a box office sells a seat a Marquee customer booked (pos_sold_booked_seat) or holds
(pos_sold_held_seat); `refund_customer` fails the booking and refunds it in full, once;
`acknowledge` resolves; repeats are no-ops; every action is in the audit log."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select

from api.pushserver import PushServer
from canonical.time import zone
from connectors import connector as connector_mod
from connectors import simulated
from connectors.catalog import import_catalog
from connectors.connector import get_connector, register
from connectors.resilience import reset_breakers
from simulators.restline import RestlineSimulator
from store import catalog
from store.tables import outbox, payments
from tests.connectors.conftest import FAST
from tests.connectors.helpers import pick_show, pos, wait_for

CARD_OK = {"card_number": "4242424242424242"}


@contextmanager
def _restline_show(api, *, seed: int, shows_per_day: int, index: int):
    """The restline simulator imported through a connector, its pushes received: yields the
    simulator, the push server and (show id, POS cinema, POS session) of one upcoming show."""
    engine = api.hub.engine
    with (
        RestlineSimulator(
            seed=seed, cinemas=1, screens=1, shows_per_day=shows_per_day, days=2
        ) as sim,
        PushServer(engine) as pushes,
    ):
        try:
            register(engine, simulated.restline(sim, **FAST))
            import_catalog(get_connector(engine, "restline"))
            yield sim, pushes, pick_show(engine, "restline", index)
        finally:
            connector_mod.forget(engine)
            reset_breakers()


def _conflicts(c, admin, kind):
    items = c.get("/v1/admin/conflicts", headers=admin, params={"limit": 100}).json()["items"]
    return [i for i in items if i["kind"] == kind]


def test_refund_customer_and_acknowledge(api):
    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    with _restline_show(api, seed=3, shows_per_day=2, index=1) as (sim, pushes, picked):
        show_id, cinema, session = picked
        a, b = api.auth("cust-a@test.example"), api.auth("cust-b@test.example")
        hold = c.post("/v1/holds", headers=a, json={"show_id": show_id, "count": 1})
        assert hold.status_code == 201, hold.text
        booked_seat = hold.json()["seat_ids"][0]
        paid = c.post(
            "/v1/checkout", headers=a, json={"hold_id": hold.json()["id"], "payment": CARD_OK}
        )
        assert paid.status_code == 201, paid.text
        booking = paid.json()["booking"]
        held = c.post("/v1/holds", headers=b, json={"show_id": show_id, "count": 1})
        assert held.status_code == 201, held.text
        held_seat = held.json()["seat_ids"][0]

        # The box office sells both seats over Marquee's (forced), and pushes it.
        sim.set_push_target(pushes.url("restline"), "restline-hook")
        sim.box_office.sell(cinema, session, [pos(booked_seat), pos(held_seat)], force=True)
        wait_for(
            lambda: (
                _conflicts(c, admin, "pos_sold_booked_seat")
                and _conflicts(c, admin, "pos_sold_held_seat")
            ),
            timeout=3,
        )
        booked = _conflicts(c, admin, "pos_sold_booked_seat")[0]
        lost_hold = _conflicts(c, admin, "pos_sold_held_seat")[0]
        assert booked["detail"]["booking_id"] == booking["id"]

        url = "/v1/admin/conflicts/{}/resolve"
        wrong = c.post(
            url.format(lost_hold["id"]), headers=admin, json={"action": "refund_customer"}
        )
        assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_action"
        ack = c.post(
            url.format(lost_hold["id"]),
            headers=admin,
            json={"action": "acknowledge", "note": "box office first"},
        )
        assert ack.status_code == 200 and ack.json()["status"] == "resolved"
        assert (
            c.post(
                url.format(lost_hold["id"]), headers=admin, json={"action": "acknowledge"}
            ).status_code
            == 200
        )

        refund = c.post(
            url.format(booked["id"]),
            headers=admin,
            json={"action": "refund_customer", "note": "seat gone"},
        )
        assert refund.status_code == 200, refund.text
        assert refund.json()["status"] == "resolved"
        mine = c.get(f"/v1/bookings/{booking['id']}", headers=a).json()
        assert mine["status"] == "failed"
        with engine.connect() as conn:
            pay = (
                conn.execute(select(payments).where(payments.c.booking_id == booking["id"]))
                .one()
                ._mapping
            )
        assert pay["status"] == "refunded"
        with engine.connect() as conn:  # the booking failed; no second conflict is raised
            topics = [
                r.topic
                for r in conn.execute(select(outbox.c.topic, outbox.c.payload))
                if r.payload.get("booking_id") == booking["id"]
            ]
        assert "BookingFailed" in topics and "SaleCommitFailed" not in topics
        # Again: the same action is a no-op (no second refund), another one is refused.
        again = c.post(url.format(booked["id"]), headers=admin, json={"action": "refund_customer"})
        assert again.status_code == 200
        with engine.connect() as conn:
            after = (
                conn.execute(select(payments).where(payments.c.booking_id == booking["id"]))
                .one()
                ._mapping
            )
        assert dict(after) == dict(pay)
        assert (
            c.post(
                url.format(booked["id"]), headers=admin, json={"action": "keep_booking"}
            ).status_code
            == 409
        )

        log = c.get(
            "/v1/admin/audit-log", headers=admin, params={"action": "conflict.resolve"}
        ).json()["items"]
        by_target = {e["target"]: e["detail"] for e in log}
        assert by_target[booked["id"]]["action"] == "refund_customer"
        assert by_target[booked["id"]]["booking_status"] == "failed"
        assert by_target[lost_hold["id"]]["action"] == "acknowledge"


def test_keep_booking_only_resolves(api):
    from store import sync

    c, admin = api.client, api.auth("admin@test.example")
    with api.hub.engine.begin() as conn:
        conflict = sync.add_conflict(
            conn,
            connector_id=None,
            show_id="shw_x",
            seat_id="A1",
            kind="sale_commit_failed",
            detail={"booking_id": "bkg_unknown"},
            action="failed",
        )
    r = c.post(
        f"/v1/admin/conflicts/{conflict}/resolve",
        headers=admin,
        json={"action": "keep_booking", "note": "theatre fixes the POS"},
    )
    assert r.status_code == 200 and r.json()["resolution"].startswith("keep_booking")
    # A conflict naming a show and booking this hub does not know reads without context.
    assert r.json()["movie_title"] is None and r.json()["booking_code"] is None
    assert r.json()["seat_label"] == "A1"


def test_conflicts_read_as_film_theatre_local_time_seat_and_booking(api):
    """The queue names what an admin reads (film, theatre, the show's local start, the seat as
    printed, the customer's booking reference and seats, what the POS says), not only ids."""
    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    with _restline_show(api, seed=5, shows_per_day=1, index=0) as (sim, pushes, picked):
        show_id, cinema, session = picked
        customer = api.auth("cust-a@test.example")
        hold = c.post("/v1/holds", headers=customer, json={"show_id": show_id, "count": 2})
        assert hold.status_code == 201, hold.text
        paid = c.post(
            "/v1/checkout",
            headers=customer,
            json={"hold_id": hold.json()["id"], "payment": CARD_OK},
        )
        assert paid.status_code == 201, paid.text
        booking = paid.json()["booking"]
        seat = hold.json()["seat_ids"][0]

        sim.set_push_target(pushes.url("restline"), "restline-hook")
        sim.box_office.sell(cinema, session, [pos(seat)], force=True)
        wait_for(lambda: _conflicts(c, admin, "pos_sold_booked_seat"), timeout=3)
        [conflict] = _conflicts(c, admin, "pos_sold_booked_seat")

        with engine.connect() as conn:
            show = catalog.get_show(conn, show_id)
            theatre = catalog.get_theatre(conn, show.theatre_id)
            movie = catalog.get_movie(conn, show.movie_id)
            layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
        printed = {s.id: s.label for s in layout.seats()}
        assert printed[seat] != seat  # a POS seat id is not what the ticket prints
        assert conflict["seat_id"] == seat and conflict["seat_label"] == printed[seat]
        assert conflict["movie_title"] == movie.title.values[movie.original_language]
        assert conflict["theatre_id"] == theatre.id
        assert conflict["theatre_name"] == theatre.name
        assert conflict["theatre_timezone"] == theatre.timezone
        local = datetime.fromisoformat(conflict["show_local_start"])
        assert local == show.start
        assert local.utcoffset() == show.start.astimezone(zone(theatre.timezone)).utcoffset()
        assert conflict["booking_code"] == booking["code"]
        assert conflict["booking_status"] == "confirmed"
        assert sorted(conflict["booking_seat_labels"]) == sorted(
            printed[s] for s in hold.json()["seat_ids"]
        )
        assert conflict["pos_status"] == "sold"

        # The resolve answer carries the same context, with the booking's new status.
        resolved = c.post(
            f"/v1/admin/conflicts/{conflict['id']}/resolve",
            headers=admin,
            json={"action": "refund_customer"},
        )
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["booking_code"] == booking["code"]
        assert resolved.json()["booking_status"] == "failed"
