"""The two journeys through HTTP on PostgreSQL, and how booking's errors reach the customer.

Customer: browse -> hold -> pay (offline gateway) -> confirmation -> e-ticket -> cancel -> refund.
Partner: create a theatre, a layout, shows and prices, then see a customer's booking in the
sales report.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from store.tables import holds, show_seats
from tests.api.test_partner import LAYOUT

CARD_OK = {"card_number": "4242424242424242"}
CARD_DECLINED = {"card_number": "4000000000000002"}


def _tomorrow_show(c, theatre_id="thr_chennai_marina"):
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    shows = c.get("/v1/shows", params={"theatre_id": theatre_id, "date": day}).json()["items"]
    return shows[0]


def test_customer_journey_on_postgres(pg_api):
    c = pg_api.client
    # Browse: a city's movies in the customer's language, a show, its seat map.
    movies = c.get(
        "/v1/movies",
        params={"city": "Chennai", "genre": "thriller"},
        headers={"Accept-Language": "ta"},
    ).json()["items"]
    assert [m["title"] for m in movies] == ["காலா வேட்டை"]
    show = _tomorrow_show(c)
    seat_map = c.get(f"/v1/shows/{show['id']}/seat-map")
    etag = seat_map.headers["etag"]
    assert seat_map.json()["available"] == 192

    auth = pg_api.auth("cust-a@test.example")
    best = c.get(f"/v1/shows/{show['id']}/best-available", params={"count": 2}).json()
    hold = c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "count": 2})
    assert hold.status_code == 201, hold.text
    assert hold.json()["seat_ids"] == best["seat_ids"]
    hold_id = hold.json()["id"]
    # The seat map changed, so the old ETag no longer matches.
    assert (
        c.get(f"/v1/shows/{show['id']}/seat-map", headers={"If-None-Match": etag}).status_code
        == 200
    )

    # Pay with the offline gateway: a decline first, then a good card.
    declined = c.post(
        "/v1/checkout", headers=auth, json={"hold_id": hold_id, "payment": CARD_DECLINED}
    )
    assert declined.status_code == 402 and declined.json()["code"] == "payment_declined"
    paid = c.post("/v1/checkout", headers=auth, json={"hold_id": hold_id, "payment": CARD_OK})
    assert paid.status_code == 201, paid.text
    booking = paid.json()["booking"]
    assert booking["status"] == "confirmed" and paid.json()["payment"]["status"] == "succeeded"
    assert booking["total"] == {
        "amount": 2 * booking["tickets"][0]["price"]["amount"],
        "currency": "INR",
    }

    listed = c.get("/v1/bookings", headers=auth).json()["items"]
    assert [b["code"] for b in listed] == [booking["code"]]
    ticket = c.get(f"/v1/bookings/{booking['id']}/ticket", headers=auth).json()
    assert ticket["qr_payload"].startswith("MQ2.")  # signed: see tests/api/test_checkin.py
    png = c.get(ticket["qr_png_url"], headers=auth)
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"

    # Another customer cannot see it (404, not 403).
    other = pg_api.auth("cust-b@test.example")
    assert c.get(f"/v1/bookings/{booking['id']}", headers=other).status_code == 404

    # Cancel: seats go back on sale, the payment is refunded.
    cancelled = c.post(f"/v1/bookings/{booking['id']}/cancel", headers=auth)
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["booking"]["status"] == "cancelled" and body["refund_issued"] is True
    assert body["refund"]["amount"] + body["fee"]["amount"] == booking["total"]["amount"]
    payment = next(p for p in body["booking"]["payments"] if p["status"] != "failed")
    assert payment["status"] == "refunded" and payment["refunded"] == body["refund"]
    assert c.get(f"/v1/shows/{show['id']}/seat-map").json()["available"] == 192
    again = c.post(f"/v1/bookings/{booking['id']}/cancel", headers=auth)
    assert again.status_code == 409 and again.json()["code"] == "booking_not_cancellable"


def test_booking_errors_become_problems(api):
    c = api.client
    show = _tomorrow_show(c)
    a, b = api.auth("cust-a@test.example"), api.auth("cust-b@test.example")
    first = c.post("/v1/holds", headers=a, json={"show_id": show["id"], "seat_ids": ["F7", "F8"]})
    assert first.status_code == 201
    taken = c.post("/v1/holds", headers=b, json={"show_id": show["id"], "seat_ids": ["F8", "F9"]})
    assert taken.status_code == 409 and taken.json()["code"] == "seat_unavailable"
    assert taken.json()["seats"] == ["F8"]
    unknown = c.post("/v1/holds", headers=b, json={"show_id": show["id"], "seat_ids": ["ZZ1"]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_seat"
    many = c.post(
        "/v1/holds",
        headers=b,
        json={"show_id": show["id"], "seat_ids": [f"H{i}" for i in range(1, 13)]},
    )
    assert many.status_code == 422 and many.json()["code"] == "too_many_seats"
    neither = c.post("/v1/holds", headers=b, json={"show_id": show["id"]})
    assert neither.status_code == 422 and neither.json()["code"] == "validation_failed"
    # Someone else's hold is not found; an expired hold is gone (410).
    hold_id = first.json()["id"]
    assert c.get(f"/v1/holds/{hold_id}", headers=b).status_code == 404
    past = datetime.now(UTC) - timedelta(minutes=1)
    with api.hub.engine.begin() as conn:
        conn.execute(
            update(holds)
            .where(holds.c.id == hold_id)
            .values(created_at=past - timedelta(minutes=9), expires_at=past)
        )
        conn.execute(
            update(show_seats).where(show_seats.c.hold_id == hold_id).values(hold_expires_at=past)
        )
    gone = c.post("/v1/checkout", headers=a, json={"hold_id": hold_id, "payment": CARD_OK})
    assert gone.status_code == 410 and gone.json()["code"] == "hold_expired"


def test_partner_journey_sees_a_customer_booking(pg_api):
    c = pg_api.client
    staff = pg_api.auth("staff-a@test.example")
    assert (
        c.post(
            "/v1/partner/theatres",
            headers=staff,
            json={
                "id": "thr_pune_central",
                "name": "Central",
                "city": "Pune",
                "country": "IN",
                "timezone": "Asia/Kolkata",
                "currency": "INR",
            },
        ).status_code
        == 201
    )
    assert (
        c.post(
            "/v1/partner/theatres/thr_pune_central/screens",
            headers=staff,
            json={"id": "scr_pune_1", "name": "Screen 1"},
        ).status_code
        == 201
    )
    assert (
        c.put("/v1/partner/screens/scr_pune_1/layout", headers=staff, json=LAYOUT).status_code
        == 200
    )
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=13, minute=30, second=0, microsecond=0
    )
    for n, offset in enumerate((0, 4)):
        r = c.post(
            "/v1/partner/theatres/thr_pune_central/shows",
            headers=staff,
            json={
                "id": f"shw_pune_{n}",
                "screen_id": "scr_pune_1",
                "movie_id": "mov_paper_moons",
                "start": (start + timedelta(hours=offset)).isoformat(),
                "language": "en",
            },
        )
        assert r.status_code == 201, r.text
        r = c.put(
            f"/v1/partner/shows/shw_pune_{n}/prices",
            headers=staff,
            json={
                "ticket_types": [
                    {
                        "code": "ADULT",
                        "name": "Adult",
                        "category": "standard",
                        "price": {"amount": 15000, "currency": "INR"},
                    },
                    {
                        "code": "ADULT",
                        "name": "Adult",
                        "category": "premium",
                        "price": {"amount": 22000, "currency": "INR"},
                    },
                ]
            },
        )
        assert r.status_code == 200, r.text

    # A customer finds the new show in the public catalog and books two premium seats.
    shows = c.get("/v1/shows", params={"city": "Pune"}).json()["items"]
    assert [s["id"] for s in shows] == ["shw_pune_0", "shw_pune_1"]
    cust = pg_api.auth("cust-a@test.example")
    hold = c.post(
        "/v1/holds", headers=cust, json={"show_id": "shw_pune_0", "seat_ids": ["B1", "B2"]}
    ).json()
    paid = c.post("/v1/checkout", headers=cust, json={"hold_id": hold["id"], "payment": CARD_OK})
    assert paid.status_code == 201, paid.text

    report = c.get(
        "/v1/partner/reports/sales", headers=staff, params={"theatre_id": "thr_pune_central"}
    ).json()
    by_show = {r["show_id"]: r for r in report["rows"]}
    sold = by_show["shw_pune_0"]
    assert (sold["bookings"], sold["tickets"], sold["seats_sold"]) == (1, 2, 2)
    assert sold["revenue"] == {"amount": 44000, "currency": "INR"}
    assert sold["occupancy"] == 0.4 and by_show["shw_pune_1"]["bookings"] == 0
    by_day = c.get(
        "/v1/partner/reports/sales",
        headers=staff,
        params={"theatre_id": "thr_pune_central", "group_by": "day"},
    ).json()
    assert by_day["rows"][0]["shows"] == 2 and by_day["rows"][0]["tickets"] == 2
    # The other partner sees none of it.
    other = pg_api.auth("staff-b@test.example")
    rows = c.get("/v1/partner/reports/sales", headers=other).json()["rows"]
    assert all(r["theatre_id"] != "thr_pune_central" for r in rows)


def test_the_api_process_delivers_its_outbox_in_process(sqlite_url, tmp_path):
    """task_mode=inprocess: the app runs the outbox worker, so a confirmed booking's events
    (e-ticket mail, POS commit) are delivered without a separate worker."""
    import time

    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from api.app import create_app
    from marquee.bootstrap import build_hub
    from marquee.demo_data import load_demo
    from marquee.settings import Settings
    from store.tables import outbox
    from tests.api.conftest import Api, seed_accounts

    hub = build_hub(Settings(database_url=sqlite_url, notify_dir=tmp_path / "mail"))
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    with TestClient(create_app(hub, run_worker=True)) as client:
        api = Api(client, hub)
        auth = api.auth("cust-a@test.example")
        show = _tomorrow_show(client)
        hold = client.post(
            "/v1/holds", headers=auth, json={"show_id": show["id"], "seat_ids": ["C3"]}
        ).json()
        paid = client.post(
            "/v1/checkout", headers=auth, json={"hold_id": hold["id"], "payment": CARD_OK}
        )
        assert paid.status_code == 201
        deadline = time.monotonic() + 15
        pending = None
        while time.monotonic() < deadline:
            with hub.engine.connect() as conn:
                pending = conn.execute(
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.delivered_at.is_(None), outbox.c.failed_at.is_(None))
                ).scalar()
            if pending == 0:
                break
            time.sleep(0.2)
        assert pending == 0
    hub.engine.dispose()
