"""Admin helpers: finding a booking, and the payments that need a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

CARD_OK = {"card_number": "4242424242424242"}
CARD_DECLINED = {"card_number": "4000000000000002"}


def test_bookings_search_and_payments_needing_attention(api):
    c = api.client
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show_id = c.get("/v1/shows", params={"theatre_id": "thr_chennai_marina", "date": day}).json()[
        "items"
    ][0]["id"]
    cust = api.auth("cust-a@test.example")
    hold = c.post("/v1/holds", headers=cust, json={"show_id": show_id, "count": 1}).json()
    assert (
        c.post(
            "/v1/checkout", headers=cust, json={"hold_id": hold["id"], "payment": CARD_DECLINED}
        ).status_code
        == 402
    )
    paid = c.post("/v1/checkout", headers=cust, json={"hold_id": hold["id"], "payment": CARD_OK})
    booking = paid.json()["booking"]
    assert c.post(f"/v1/bookings/{booking['id']}/cancel", headers=cust).status_code == 200

    staff = api.auth("admin@test.example")
    found = c.get("/v1/admin/bookings/search", params={"q": booking["code"]}, headers=staff).json()
    assert [(b["id"], b["status"], b["city"]) for b in found] == [
        (booking["id"], "cancelled", "Chennai")
    ]
    # Named as a support person reads it: the movie, the theatre and screen, the start.
    show = c.get(f"/v1/shows/{show_id}", headers={"Accept-Language": "en"}).json()
    movie = c.get(f"/v1/movies/{show['movie_id']}", headers={"Accept-Language": "en"}).json()
    assert found[0]["movie_title"] == movie["title"]
    assert found[0]["theatre_name"] == "Marquee Marina"
    assert found[0]["screen_name"] == show["screen_name"] != show["screen_id"]
    assert found[0]["start_at"][:16] == show["start"][:16]
    by_status = c.get(
        "/v1/admin/bookings/search", params={"status": "confirmed"}, headers=staff
    ).json()
    assert booking["id"] not in {b["id"] for b in by_status}

    # A declined card and a refund that went through need nobody.
    attention = c.get("/v1/admin/payments/attention", headers=staff).json()
    assert [p for p in attention if p["booking_id"] == booking["id"]] == []
    assert (
        c.get("/v1/admin/payments/attention", headers=api.auth("staff-a@test.example")).status_code
        == 403
    )
