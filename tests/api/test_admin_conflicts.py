"""Conflict resolution with real effects, through HTTP as admin, against the restline
simulator: a box office sells a seat a Marquee customer booked (pos_sold_booked_seat) or holds
(pos_sold_held_seat); `refund_customer` fails the booking and refunds it in full, once;
`acknowledge` resolves; repeats are no-ops; every action is in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from api.pushserver import PushServer
from connectors import connector as connector_mod
from connectors import simulated
from connectors.catalog import import_catalog
from connectors.connector import get_connector, register
from connectors.resilience import reset_breakers
from simulators.restline import RestlineSimulator
from store.tables import outbox, payments
from tests.connectors.conftest import FAST
from tests.connectors.helpers import pick_show, pos, wait_for

CARD_OK = {"card_number": "4242424242424242"}


def _conflicts(c, admin, kind):
    items = c.get("/v1/admin/conflicts", headers=admin, params={"limit": 100}).json()["items"]
    return [i for i in items if i["kind"] == kind]


def test_refund_customer_and_acknowledge(api):
    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    with (
        RestlineSimulator(seed=3, cinemas=1, screens=1, shows_per_day=2, days=2) as sim,
        PushServer(engine) as pushes,
    ):
        try:
            register(engine, simulated.restline(sim, **FAST))
            import_catalog(get_connector(engine, "restline"))
            show_id, cinema, session = pick_show(engine, "restline", 1)
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
            again = c.post(
                url.format(booked["id"]), headers=admin, json={"action": "refund_customer"}
            )
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
        finally:
            connector_mod.forget(engine)
            reset_breakers()


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
