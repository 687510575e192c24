"""Partner API: catalog management with validation, schedule rules, house seats, reports,
client credentials, and tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from tests.api.conftest import OTHER_THEATRE

STAFF_A = "staff-a@test.example"
STAFF_B = "staff-b@test.example"


def seat(sid, row, col, cat="standard"):
    return {
        "id": sid,
        "label": sid,
        "position": {"area": 0, "row": row, "column": col},
        "category": cat,
    }


LAYOUT = {
    "categories": ["standard", "premium"],
    "areas": [
        {
            "number": 0,
            "rows": [
                {
                    "name": "A",
                    "index": 0,
                    "seats": [seat("A1", 0, 0), seat("A2", 0, 1), seat("A3", 0, 2)],
                },
                {
                    "name": "B",
                    "index": 1,
                    "seats": [seat("B1", 1, 0, "premium"), seat("B2", 1, 1, "premium")],
                },
            ],
        }
    ],
}


def _setup_theatre(api, auth):
    c = api.client
    r = c.post(
        "/v1/partner/theatres",
        headers=auth,
        json={
            "id": "thr_pune_central",
            "name": "Central",
            "city": "Pune",
            "country": "IN",
            "timezone": "Asia/Kolkata",
            "currency": "INR",
        },
    )
    assert r.status_code == 201, r.text
    r = c.post(
        "/v1/partner/theatres/thr_pune_central/screens",
        headers=auth,
        json={"id": "scr_pune_1", "name": "Screen 1", "formats": ["2D"]},
    )
    assert r.status_code == 201, r.text
    r = c.put("/v1/partner/screens/scr_pune_1/layout", headers=auth, json=LAYOUT)
    assert r.status_code == 200, r.text
    assert r.json()["seat_count"] == 5 and r.json()["categories"] == ["premium", "standard"]


def test_layout_upload_is_validated(api):
    auth = api.auth(STAFF_A)
    _setup_theatre(api, auth)
    dup = {
        "categories": ["standard"],
        "areas": [
            {
                "number": 0,
                "rows": [{"name": "A", "index": 0, "seats": [seat("A1", 0, 0), seat("A1", 0, 1)]}],
            }
        ],
    }
    r = api.client.put("/v1/partner/screens/scr_pune_1/layout", headers=auth, json=dup)
    assert r.status_code == 422 and "duplicate seat id" in r.json()["detail"]
    overlap = {
        "categories": ["standard"],
        "areas": [
            {
                "number": 0,
                "rows": [{"name": "A", "index": 0, "seats": [seat("A1", 0, 0), seat("A2", 0, 0)]}],
            }
        ],
    }
    r = api.client.put("/v1/partner/screens/scr_pune_1/layout", headers=auth, json=overlap)
    assert r.status_code == 422 and "overlaps" in r.json()["detail"]
    unknown = {
        "categories": ["standard"],
        "areas": [
            {
                "number": 0,
                "rows": [
                    {"name": "A", "index": 0, "seats": [seat("A1", 0, 0), seat("A2", 0, 1, "vip")]}
                ],
            }
        ],
    }
    r = api.client.put("/v1/partner/screens/scr_pune_1/layout", headers=auth, json=unknown)
    assert r.status_code == 422 and r.json()["code"] == "unknown_category"
    assert r.json()["categories"] == ["vip"] and r.json()["seats"] == ["A2"]
    # Nothing was changed by the refused uploads: still version 1.
    assert (
        api.client.get("/v1/partner/screens/scr_pune_1/layout", headers=auth).json()["version"] == 1
    )


def test_shows_prices_overlap_house_seats_and_report(api):
    auth = api.auth(STAFF_A)
    _setup_theatre(api, auth)
    c = api.client
    start = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    prices = [
        {
            "code": "ADULT",
            "name": "Adult",
            "category": "standard",
            "price": {"amount": 20000, "currency": "INR"},
        }
    ]
    body = {
        "id": "shw_pune_a",
        "screen_id": "scr_pune_1",
        "movie_id": "mov_orbit_nine",
        "start": start.isoformat(),
        "language": "en",
        "format": "2D",
        "ticket_types": prices,
    }
    r = c.post("/v1/partner/theatres/thr_pune_central/shows", headers=auth, json=body)
    assert r.status_code == 201, r.text
    end = datetime.fromisoformat(r.json()["end"])
    assert end - start == timedelta(minutes=131 + 15)
    # 10 minutes after the end is inside the 15-minute cleaning gap.
    clash = {**body, "id": "shw_pune_b", "start": (end + timedelta(minutes=10)).isoformat()}
    r = c.post("/v1/partner/theatres/thr_pune_central/shows", headers=auth, json=clash)
    assert r.status_code == 409 and r.json()["shows"] == ["shw_pune_a"]
    fine = {**clash, "start": (end + timedelta(minutes=15)).isoformat()}
    assert (
        c.post("/v1/partner/theatres/thr_pune_central/shows", headers=auth, json=fine).status_code
        == 201
    )
    bad_cat = {
        **fine,
        "id": "shw_pune_c",
        "start": (end + timedelta(hours=6)).isoformat(),
        "ticket_types": [{**prices[0], "category": "balcony"}],
    }
    r = c.post("/v1/partner/theatres/thr_pune_central/shows", headers=auth, json=bad_cat)
    assert r.status_code == 422 and r.json()["code"] == "unknown_category"

    r = c.put(
        "/v1/partner/shows/shw_pune_a/prices",
        headers=auth,
        json={
            "ticket_types": [
                *prices,
                {
                    "code": "ADULT",
                    "name": "Adult",
                    "category": "premium",
                    "price": {"amount": 30000, "currency": "INR"},
                },
                {
                    "code": "CHILD",
                    "name": "Child",
                    "category": "standard",
                    "price": {"amount": 12000, "currency": "INR"},
                },
            ]
        },
    )
    assert r.status_code == 200 and len(r.json()["prices"]) == 3
    seat_map = c.get("/v1/shows/shw_pune_a/seat-map").json()
    assert seat_map["categories"]["premium"]["price"]["amount"] == 30000

    r = c.post(
        "/v1/partner/shows/shw_pune_a/house-seats/block",
        headers=auth,
        json={"seat_ids": ["B1", "B2"]},
    )
    assert r.status_code == 200 and r.json()["blocked"] == ["B1", "B2"]
    seat_map = c.get("/v1/shows/shw_pune_a/seat-map").json()
    assert seat_map["available"] == 3
    r = c.post(
        "/v1/partner/shows/shw_pune_a/house-seats/block", headers=auth, json={"seat_ids": ["ZZ9"]}
    )
    assert r.status_code == 422 and r.json()["seats"] == ["ZZ9"]
    c.post(
        "/v1/partner/shows/shw_pune_a/house-seats/unblock", headers=auth, json={"seat_ids": ["B2"]}
    )

    report = c.get(
        "/v1/partner/reports/sales",
        headers=auth,
        params={"theatre_id": "thr_pune_central", "group_by": "show"},
    ).json()
    row = next(r for r in report["rows"] if r["show_id"] == "shw_pune_a")
    assert (row["seats_total"], row["seats_blocked"], row["seats_sold"]) == (5, 1, 0)
    text = c.get("/v1/partner/reports/sales.csv", headers=auth, params={"group_by": "theatre"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["key"] for r in rows} >= {"thr_pune_central", "thr_chennai_marina"}


def test_partner_sees_only_its_own_theatres(api):
    a, b = api.auth(STAFF_A), api.auth(STAFF_B)
    _setup_theatre(api, a)
    mine = {t["id"] for t in api.client.get("/v1/partner/theatres", headers=b).json()["items"]}
    assert mine == {OTHER_THEATRE}
    for method, path, body in [
        ("GET", "/v1/partner/theatres/thr_pune_central", None),
        ("GET", "/v1/partner/theatres/thr_pune_central/screens", None),
        ("GET", "/v1/partner/screens/scr_pune_1/layout", None),
        ("PUT", "/v1/partner/screens/scr_pune_1/layout", LAYOUT),
        ("GET", "/v1/partner/shows/shw_chennai_marina_1_x/prices", None),
    ]:
        r = api.client.request(method, path, headers=b, json=body)
        assert r.status_code in (404, 405), (path, r.status_code)
    r = api.client.get(
        "/v1/partner/reports/sales", headers=b, params={"theatre_id": "thr_pune_central"}
    )
    assert r.status_code == 404


def test_client_credentials_for_a_partner_system(api):
    staff = api.auth(STAFF_A)
    created = api.client.post("/v1/partner/clients", headers=staff, json={"name": "POS bridge"})
    assert created.status_code == 201
    cid, secret = created.json()["client_id"], created.json()["client_secret"]
    r = api.client.post(
        "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)
    )
    assert r.status_code == 200 and r.json()["refresh_token"] is None
    system = {"Authorization": f"Bearer {r.json()['access_token']}"}
    theatres = api.client.get("/v1/partner/theatres", headers=system).json()["items"]
    assert {t["id"] for t in theatres} == {
        "thr_chennai_marina",
        "thr_chennai_adyar",
        "thr_london_soho",
    }
    # A system cannot mint more systems, and a revoked client gets no token.
    assert api.client.get("/v1/partner/clients", headers=system).status_code == 403
    assert api.client.delete(f"/v1/partner/clients/{cid}", headers=staff).status_code == 204
    r = api.client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret},
    )
    assert r.status_code == 401 and r.json()["code"] == "invalid_client"
