"""The allocation sales report over HTTP: an admin downloads a connector's day as CSV, a partner
its own theatre's; the lines are exactly the seats sold from the allocation, cancelled ones
marked; errors are problems that name what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update

from booking.allocation_sales import COLUMNS
from store.tables import bookings, external_ids, shows, theatres

ADMIN = "admin@test.example"
CUSTOMER = "cust-a@test.example"
CARD_OK = {"card_number": "4242424242424242"}
THEATRE = "thr_chennai_marina"
SCREEN = "scr_chennai_marina_1"
ALLOCATED = ["D5", "D6", "E5", "E6"]
KOLKATA = ZoneInfo("Asia/Kolkata")


def _connect_allocation(api, connector_id: str = "alloc-test") -> None:
    """The demo theatre, linked to an export-only connector that allocates four seats."""
    r = api.client.post(
        "/v1/admin/connectors",
        headers=api.auth(ADMIN),
        json={
            "id": connector_id,
            "adapter": "rest",
            "mapping": "mappings/cuecloud/mapping.yaml",
            "endpoint": {"base_url": "http://127.0.0.1:9"},
            "settings": {"online_sales": "allocation", "allocation": {SCREEN: ALLOCATED}},
        },
    )
    assert r.status_code == 201, r.text
    with api.hub.engine.begin() as conn:
        conn.execute(
            update(theatres).where(theatres.c.id == THEATRE).values(connector_id=connector_id)
        )


def _buy(api, show_id: str, seats: list[str]) -> dict:
    c, auth = api.client, api.auth(CUSTOMER)
    hold = c.post("/v1/holds", headers=auth, json={"show_id": show_id, "seat_ids": seats})
    assert hold.status_code == 201, hold.text
    paid = c.post(
        "/v1/checkout", headers=auth, json={"hold_id": hold.json()["id"], "payment": CARD_OK}
    )
    assert paid.status_code == 201, paid.text
    return paid.json()["booking"]


def _local(at: datetime) -> str:
    return at.astimezone(KOLKATA).isoformat(timespec="seconds")


@pytest.fixture
def sold(api):
    """Two bookings on tomorrow's first show: D5+D6 sold, E5 sold then cancelled."""
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show = api.client.get("/v1/shows", params={"theatre_id": THEATRE, "date": day}).json()["items"][
        0
    ]
    _connect_allocation(api)
    with api.hub.engine.begin() as conn:
        conn.execute(
            insert(external_ids).values(
                connector_id="alloc-test",
                entity="show",
                scope="MAR",
                external_id="SESS-77",
                canonical_id=show["id"],
                updated_at=datetime.now(UTC),
            )
        )
    kept = _buy(api, show["id"], ["D6", "D5"])
    dropped = _buy(api, show["id"], ["E5"])
    r = api.client.post(f"/v1/bookings/{dropped['id']}/cancel", headers=api.auth(CUSTOMER))
    assert r.status_code == 200, r.text
    return show, kept, dropped


def test_the_days_csv_lists_each_seat_sold_and_cancelled(api, sold):
    show, kept, dropped = sold
    with api.hub.engine.connect() as conn:
        row = conn.execute(
            select(shows.c.start_at, shows.c.business_date).where(shows.c.id == show["id"])
        ).one()
        times = {
            b.code: (b.confirmed_at, b.cancelled_at)
            for b in conn.execute(
                select(bookings.c.code, bookings.c.confirmed_at, bookings.c.cancelled_at)
            )
        }
    r = api.client.get(
        "/v1/admin/connectors/alloc-test/allocation-sales.csv",
        params={"date": row.business_date.isoformat()},
        headers=api.auth(ADMIN),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    day = row.business_date
    assert r.headers["content-disposition"] == (
        f'attachment; filename="allocation-sales-alloc-test-{day:%Y%m%d}.csv"'
    )

    def line(booking: dict, seat: str, status: str) -> str:
        ticket = next(t for t in booking["tickets"] if t["seat_id"] == seat)
        confirmed, cancelled = times[booking["code"]]
        price = ticket["price"]["amount"] / 100
        return ",".join(
            [
                day.isoformat(),
                show["id"],
                "SESS-77",
                _local(row.start_at),
                SCREEN,
                "Screen 1",
                seat,
                ticket["label"],
                booking["code"],
                ticket["ticket_type"],
                ticket["category"],
                f"{price:.2f}",
                "",
                "INR",
                status,
                _local(confirmed),
                _local(cancelled) if status == "cancelled" else "",
            ]
        )

    assert r.content.decode("utf-8").split("\r\n") == [
        ",".join(COLUMNS),
        line(kept, "D5", "sold"),
        line(kept, "D6", "sold"),
        line(dropped, "E5", "cancelled"),
        "",
    ]

    # A day without sales is the header alone; a range covers both days.
    other = (day + timedelta(days=1)).isoformat()
    empty = api.client.get(
        "/v1/admin/connectors/alloc-test/allocation-sales.csv",
        params={"date": other},
        headers=api.auth(ADMIN),
    )
    assert empty.content == (",".join(COLUMNS) + "\r\n").encode()
    both = api.client.get(
        "/v1/admin/connectors/alloc-test/allocation-sales.csv",
        params={"date": day.isoformat(), "date_to": other},
        headers=api.auth(ADMIN),
    )
    assert both.content == r.content
    assert (
        f"{day:%Y%m%d}-{day + timedelta(days=1):%Y%m%d}.csv" in both.headers["content-disposition"]
    )

    # The partner who owns the theatre reads the same lines; another partner's theatre is 404.
    partner = api.client.get(
        f"/v1/partner/theatres/{THEATRE}/allocation-sales.csv",
        params={"date": day.isoformat()},
        headers=api.auth("staff-a@test.example"),
    )
    assert partner.status_code == 200 and partner.content == r.content
    stranger = api.client.get(
        f"/v1/partner/theatres/{THEATRE}/allocation-sales.csv",
        params={"date": day.isoformat()},
        headers=api.auth("staff-b@test.example"),
    )
    assert stranger.status_code == 404


def test_errors_are_problems(api):
    admin = api.auth(ADMIN)
    url = "/v1/admin/connectors/{}/allocation-sales.csv"
    unknown = api.client.get(url.format("nope"), params={"date": "2026-12-06"}, headers=admin)
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_connector"

    r = api.client.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": "live-test",
            "adapter": "rest",
            "mapping": "mappings/restline/mapping.yaml",
            "endpoint": {"base_url": "http://127.0.0.1:9"},
        },
    )
    assert r.status_code == 201, r.text
    live = api.client.get(url.format("live-test"), params={"date": "2026-12-06"}, headers=admin)
    assert live.status_code == 409
    assert live.headers["content-type"] == "application/problem+json"
    assert live.json()["code"] == "not_allocation_mode"
    assert "does not sell an allocation" in live.json()["detail"]

    _connect_allocation(api)
    bad = api.client.get(url.format("alloc-test"), params={"date": "2026-13-40"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    assert bad.json()["errors"][0]["field"] == "query.date"
    missing = api.client.get(url.format("alloc-test"), headers=admin)
    assert missing.status_code == 422
    backwards = api.client.get(
        url.format("alloc-test"),
        params={"date": "2026-12-06", "date_to": "2026-12-05"},
        headers=admin,
    )
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_report_days"
    too_long = api.client.get(
        url.format("alloc-test"),
        params={"date": "2026-12-01", "date_to": "2027-01-31"},
        headers=admin,
    )
    assert too_long.status_code == 422 and "at most 31 days" in too_long.json()["detail"]

    # A partner's theatre that Marquee sells itself has no allocation.
    native = api.client.get(
        "/v1/partner/theatres/thr_other_plaza/allocation-sales.csv",
        params={"date": "2026-12-06"},
        headers=api.auth("staff-b@test.example"),
    )
    assert native.status_code == 409 and native.json()["code"] == "not_allocation_mode"
