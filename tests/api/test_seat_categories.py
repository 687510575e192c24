"""Seat categories on the seat map read as names in display order; a theatre's partner (own
theatres only) or an admin sets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MARINA = "thr_chennai_marina"


def _seat_map(c) -> dict:
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show = c.get("/v1/shows", params={"theatre_id": MARINA, "date": day}).json()["items"][0]
    answer = c.get(f"/v1/shows/{show['id']}/seat-map")
    assert answer.status_code == 200
    return answer.json()


def test_partner_and_admin_name_categories_and_the_seat_map_shows_them(api):
    c = api.client
    before = _seat_map(c)
    codes = {s["category"] for s in before["seats"]}
    assert {label["code"] for label in before["category_labels"]} == codes
    assert all(label["name"] for label in before["category_labels"])
    code = sorted(codes)[0]

    staff = api.auth("staff-a@test.example")
    url = f"/v1/partner/theatres/{MARINA}/seat-categories/{code}"
    named = c.put(url, headers=staff, json={"name": "Royal Recliner", "sort_order": 0})
    assert named.status_code == 200, named.text
    after = _seat_map(c)
    assert after["category_labels"][0] == {
        "code": code,
        "name": "Royal Recliner",
        "sort_order": 0,
        "colour": None,
    }
    listed = c.get(f"/v1/partner/theatres/{MARINA}/seat-categories", headers=staff).json()
    assert listed == [{"code": code, "name": "Royal Recliner", "sort_order": 0, "colour": None}]

    # Another partner cannot see or name this theatre's categories.
    other = api.auth("staff-b@test.example")
    assert c.put(url, headers=other, json={"name": "X"}).status_code == 404
    bad = c.put(url, headers=staff, json={"name": ""})
    assert bad.status_code == 422

    admin = api.auth("admin@test.example")
    by_admin = c.put(
        f"/v1/admin/theatres/{MARINA}/seat-categories/{code}",
        headers=admin,
        json={"name": "Gold", "sort_order": 3},
    )
    assert by_admin.status_code == 200
    assert [x["name"] for x in _seat_map(c)["category_labels"] if x["code"] == code] == ["Gold"]
    assert c.delete(url, headers=staff).status_code == 204
    assert c.delete(url, headers=staff).status_code == 404
    assert _seat_map(c)["category_labels"] == before["category_labels"]
