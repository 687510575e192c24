"""Every KPI checked exactly against a known set of activity on PostgreSQL, through the HTTP API
as customers, partners and staff use it; then a rebuild from scratch gives the same tables.

The activity (tomorrow's shows, local days of the theatres):
- Chennai (INR) show A: 3 show-page views, 2 seat-map views; customer a holds 2 seats, a card
  is declined, a good card pays (booking 1). Customer b holds 3 seats and lets them go.
- London (GBP) show B: 1 show-page view, 1 seat-map view; customer b holds 1 seat, pays
  (booking 2) and cancels it (refund). Customer a holds 1 seat and lets the hold expire.
- Searches: 2 movie searches in Chennai, 1 show search in London, and the 2 show listings (by
  theatre) that found A and B.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from analytics.aggregate import TABLES
from analytics.ingest import rebuild
from store.tables import holds, show_seats
from store.tables_analytics import analytics_events

CARD_OK = {"card_number": "4242424242424242"}
CARD_DECLINED = {"card_number": "4000000000000002"}


def _show(c, theatre_id: str) -> dict:
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    items = c.get("/v1/shows", params={"theatre_id": theatre_id, "date": day}).json()["items"]
    return items[-1]


def _snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        out = {}
        for name, table in sorted(TABLES.items()):
            keys = [c for c in table.primary_key.columns]
            out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*keys))]
        return out


def _expire(engine, hold_id: str) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(
            update(holds)
            .where(holds.c.id == hold_id)
            .values(created_at=past - timedelta(minutes=9), expires_at=past)
        )
        conn.execute(
            update(show_seats).where(show_seats.c.hold_id == hold_id).values(hold_expires_at=past)
        )


def test_every_kpi_is_exact_and_a_rebuild_equals_the_incremental_result(world):
    api = world.api
    c = api.client
    a, b = api.auth("cust-a@test.example"), api.auth("cust-b@test.example")
    show_a = _show(c, "thr_chennai_marina")
    show_b = _show(c, "thr_london_soho")

    # Browsing and searching.
    for _ in range(3):
        assert c.get(f"/v1/shows/{show_a['id']}").status_code == 200
    for _ in range(2):
        assert c.get(f"/v1/shows/{show_a['id']}/seat-map").status_code == 200
    assert c.get(f"/v1/shows/{show_b['id']}").status_code == 200
    assert c.get(f"/v1/shows/{show_b['id']}/seat-map").status_code == 200
    assert c.get("/v1/shows/shw_nowhere").status_code == 404  # not a view of anything
    for _ in range(2):
        assert c.get("/v1/movies", params={"city": "Chennai"}).status_code == 200
    assert c.get("/v1/shows", params={"city": "London"}).status_code == 200

    # Show A: a declined card, then a paid booking; another hold let go.
    h1 = c.post("/v1/holds", headers=a, json={"show_id": show_a["id"], "count": 2}).json()
    declined = c.post(
        "/v1/checkout", headers=a, json={"hold_id": h1["id"], "payment": CARD_DECLINED}
    )
    assert declined.status_code == 402
    paid = c.post("/v1/checkout", headers=a, json={"hold_id": h1["id"], "payment": CARD_OK})
    assert paid.status_code == 201, paid.text
    booking1 = paid.json()["booking"]
    h2 = c.post("/v1/holds", headers=b, json={"show_id": show_a["id"], "count": 3}).json()
    assert c.delete(f"/v1/holds/{h2['id']}", headers=b).status_code == 200

    # Show B: paid then cancelled; a hold left to expire.
    h3 = c.post("/v1/holds", headers=b, json={"show_id": show_b["id"], "count": 1}).json()
    paid2 = c.post("/v1/checkout", headers=b, json={"hold_id": h3["id"], "payment": CARD_OK})
    assert paid2.status_code == 201, paid2.text
    booking2 = paid2.json()["booking"]
    cancelled = c.post(f"/v1/bookings/{booking2['id']}/cancel", headers=b).json()
    h4 = c.post("/v1/holds", headers=a, json={"show_id": show_b["id"], "count": 1}).json()
    _expire(api.hub.engine, h4["id"])
    assert api.client.app.state.ctx.booking.expire_holds() == 1

    world.deliver()
    # At-least-once: every outbox message delivered again changes nothing.
    with api.hub.engine.connect() as conn:
        from store.tables import outbox

        messages = conn.execute(select(outbox.c.topic, outbox.c.event_id, outbox.c.payload)).all()
    from analytics.ingest import ingest_domain_event

    with api.hub.engine.begin() as conn:
        assert not any(ingest_domain_event(conn, t, e, dict(p)) for t, e, p in messages)

    staff = api.auth("admin@test.example")
    partner = api.auth("staff-a@test.example")
    other = api.auth("staff-b@test.example")
    inr1, refund, fee = booking1["total"], cancelled["refund"], cancelled["fee"]
    gbp1 = booking2["total"]

    today = datetime.now(UTC).date()
    days = {"date_from": str(today - timedelta(days=1)), "date_to": str(today + timedelta(days=1))}
    summary = c.get("/v1/admin/analytics/summary", params=days, headers=staff)
    assert summary.status_code == 200, summary.text
    s = summary.json()
    counts = s["counts"]
    assert {k: counts[k] for k in counts if counts[k]} == {
        "show_views": 4,
        "seat_map_views": 3,
        "holds": 4,
        "held_seats": 7,
        "holds_released": 1,
        "holds_expired": 1,
        "holds_abandoned": 2,
        "checkouts": 2,
        "bookings": 2,
        "tickets": 3,
        "failed_payments": 1,
        "cancellations": 1,
        "cancelled_tickets": 1,
        "refunds": 1,
    }
    assert s["money"] == [
        {
            "currency": "GBP",
            "revenue": gbp1["amount"],
            "cancel_refunds": refund["amount"],
            "cancel_fees": fee["amount"],
            "refunded": refund["amount"],
            "bookings": 1,
        },
        {
            "currency": "INR",
            "revenue": inr1["amount"],
            "cancel_refunds": 0,
            "cancel_fees": 0,
            "refunded": 0,
            "bookings": 1,
        },
    ]
    assert [(f["stage"], f["count"]) for f in s["funnel"]] == [
        ("show_page", 4),
        ("seat_map", 3),
        ("hold", 4),
        ("checkout", 2),
        ("paid", 2),
    ]
    assert s["funnel"][1]["from_previous"] == 0.75
    assert s["abandonment"] == {"holds": 4, "abandoned": 2, "rate": 0.5}
    assert s["active_customers"] == 2
    # Over an open range the summary leaves the distinct count to /active-customers.
    assert c.get("/v1/admin/analytics/summary", headers=staff).json()["active_customers"] is None
    # Two days of demo shows: 3 theatres x 2 screens x 4 shows x 2 days; screens have 12 and
    # 14 rows of 16 seats (standard layout); seats sold: 2 in A (B's sale was cancelled).
    occupancy = s["occupancy"]
    assert occupancy["sold"] == 2 and occupancy["shows"] == 48

    # By city / theatre / language / hour: money never mixes currencies.
    by_city = c.get("/v1/admin/analytics/breakdown", params={"by": "city"}, headers=staff).json()
    assert [(r["key"], r["currency"], r["bookings"], r["revenue"]) for r in by_city] == [
        ("Chennai", "INR", 1, inr1["amount"]),
        ("London", "GBP", 1, gbp1["amount"]),
    ]
    by_lang = c.get("/v1/admin/analytics/breakdown", params={"by": "language"}, headers=staff)
    expected_langs: dict[str, int] = {}
    for lang, tickets in ((show_a["language"], 2), (show_b["language"], 1)):
        expected_langs[lang] = expected_langs.get(lang, 0) + tickets
    tickets_by_lang: dict[str, int] = {}
    for r in by_lang.json():
        tickets_by_lang[r["key"]] = tickets_by_lang.get(r["key"], 0) + r["tickets"]
    assert tickets_by_lang == expected_langs
    by_day = c.get(
        "/v1/admin/analytics/breakdown", params={"by": "day", "city": "Chennai"}, headers=staff
    ).json()
    today_chennai = datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()
    assert [(r["key"], r["show_views"], r["bookings"]) for r in by_day] == [(today_chennai, 3, 1)]
    hours = c.get(
        "/v1/admin/analytics/breakdown", params={"by": "hour_of_day"}, headers=staff
    ).json()
    assert sum(r["seat_map_views"] for r in hours) == 3

    # Per show (the heat map) and the booking pace.
    shows = c.get(
        "/v1/admin/analytics/shows", params={"show_id": show_a["id"]}, headers=staff
    ).json()
    [row] = shows
    assert row["sold"] == 2 and row["capacity"] > 0
    assert row["occupancy"] == round(2 / row["capacity"], 4)
    assert row["funnel"] == {"show_page": 3, "seat_map": 2, "hold": 2, "checkout": 1, "paid": 1}
    assert row["revenue"] == inr1
    pace = c.get("/v1/admin/analytics/pace", params={"show_id": show_a["id"]}, headers=staff)
    [point] = pace.json()
    assert point["bookings"] == 1 and point["tickets"] == 2 and point["days_before"] in (0, 1)

    # Reasons: the decline, the released and expired holds, the refund.
    reasons = c.get("/v1/admin/analytics/reasons", headers=staff).json()
    got = {(r["kind"], r["reason"], r["currency"]): (r["count"], r["amount"]) for r in reasons}
    [(decline_key, decline)] = [(k, v) for k, v in got.items() if k[0] == "payment_failed"]
    assert decline == (1, 0) and decline_key[2] == "INR" and decline_key[1]
    assert got[("hold_released", "customer", "INR")] == (1, 0)
    assert got[("hold_released", "expired", "GBP")] == (1, 0)
    assert got[("cancellation", "customer", "GBP")] == (1, refund["amount"])
    assert [v for k, v in got.items() if k[0] == "refund"] == [(1, refund["amount"])]

    # Searches (admin only), active customers, preferences.
    searches = c.get("/v1/admin/analytics/searches", headers=staff).json()
    # Three searches above, and the two show listings that found the shows.
    assert searches["searches"] == 5 and sum(h["count"] for h in searches["histogram"]) == 5
    assert searches["max_ms"] >= searches["mean_ms"] > 0
    chennai = c.get("/v1/admin/analytics/searches", params={"city": "Chennai"}, headers=staff)
    assert chennai.json()["searches"] == 2
    active = c.get("/v1/admin/analytics/active-customers", headers=staff).json()
    assert active["total"] == 2
    customer_a = _customer_id(api, "cust-a@test.example")
    prefs = c.get(f"/v1/admin/analytics/customers/{customer_a}/preferences", headers=staff).json()
    assert prefs["preferences"]["language"] == [
        {"value": show_a["language"], "bookings": 1, "tickets": 2}
    ]
    assert {p["value"] for p in prefs["preferences"]["genre"]} == set(
        c.get(f"/v1/movies/{show_a['movie_id']}").json()["genres"]
    )
    trends = c.get(
        "/v1/admin/analytics/preferences/trends", params={"dimension": "format"}, headers=staff
    ).json()
    assert sum(t["bookings"] for t in trends) == 2

    # Partners: their own theatres only (both demo theatres belong to partner A).
    mine = c.get("/v1/partner/analytics/summary", headers=partner).json()
    assert mine["counts"] == counts
    theirs = c.get("/v1/partner/analytics/summary", headers=other).json()
    assert theirs["counts"]["bookings"] == 0 and theirs["money"] == []
    assert (
        c.get(
            "/v1/partner/analytics/summary",
            params={"theatre_id": "thr_chennai_marina"},
            headers=other,
        ).status_code
        == 404
    )
    assert c.get("/v1/admin/analytics/summary", headers=partner).status_code == 403
    csv_text = c.get(
        "/v1/partner/analytics/breakdown.csv", params={"by": "theatre"}, headers=partner
    ).text
    assert csv_text.splitlines()[0].startswith("key,currency,show_views")

    # A rebuild from scratch equals the incremental result.
    before = _snapshot(api.hub.engine)
    with api.hub.engine.connect() as conn:
        facts_before = conn.execute(select(analytics_events.c.event_id)).scalars().all()
    report = rebuild(api.hub.engine)
    assert report.tracked_events == 12 and report.domain_events > 0
    assert _snapshot(api.hub.engine) == before
    with api.hub.engine.connect() as conn:
        facts_after = conn.execute(select(analytics_events.c.event_id)).scalars().all()
    assert sorted(facts_after) == sorted(facts_before)


def _customer_id(api, email: str) -> str:
    me = api.client.get("/v1/me", headers=api.auth(email))
    assert me.status_code == 200, me.text
    body = me.json()
    return body.get("customer_id") or body["id"]
