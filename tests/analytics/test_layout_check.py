"""The layout check the portal's editor calls: every problem pinned to its seat; a partner may
check only its own screens."""

from __future__ import annotations


def _seat(sid, row, col, **extra):
    return {
        "id": sid,
        "label": sid,
        "position": {"area": 0, "row": row, "column": col},
        "category": extra.pop("category", "standard"),
        **extra,
    }


def _layout(*seats, categories=("standard",)):
    return {
        "categories": list(categories),
        "areas": [{"number": 0, "name": "Stalls", "category": "standard",
                   "rows": [{"name": "A", "index": 0, "seats": list(seats)}]}],
    }  # fmt: skip


def test_check_names_each_problem_with_its_seat(api):
    c = api.client
    staff = api.auth("staff-a@test.example")
    url = "/v1/partner/screens/scr_chennai_marina_1/layout/check"
    good = _layout(
        _seat("A1", 0, 0, flags=["wheelchair"]),
        _seat("A2", 0, 1, flags=["companion"]),
        _seat("A3", 0, 3, group="sofa1", category="sofa"),
        _seat("A4", 0, 4, group="sofa1", category="sofa"),
        categories=("standard", "sofa"),
    )
    ok = c.post(url, headers=staff, json=good)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {
        "valid": True,
        "seat_count": 4,
        "categories": ["sofa", "standard"],
        "problems": [],
    }

    bad = _layout(
        _seat("A1", 0, 0),
        _seat("A1", 0, 1),  # duplicate id
        _seat("A3", 0, 1),  # same place as the second A1
        _seat("A5", 0, 5, flags=["companion"]),  # no wheelchair beside it
        _seat("A7", 0, 7, group="g1"),
        _seat("A9", 0, 9, group="g1"),  # a gap inside the group
        _seat("A11", 0, 11, group="g2"),  # alone in its group
        _seat("A12", 0, 12, category="vip"),  # undeclared category
    )
    problems = c.post(url, headers=staff, json=bad).json()
    assert problems["valid"] is False
    assert sorted((p["seat_id"], p["code"]) for p in problems["problems"]) == [
        ("A1", "duplicate_id"),
        ("A11", "lonely_group"),
        ("A12", "unknown_category"),
        ("A3", "overlap"),
        ("A5", "companion_alone"),
        ("A7", "group_not_together"),
        ("A9", "group_not_together"),
    ]
    other = api.auth("staff-b@test.example")
    assert c.post(url, headers=other, json=good).status_code == 404


def test_cancel_preview_counts_the_bookings_and_refunds(api):
    from datetime import UTC, datetime, timedelta

    c = api.client
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show = c.get("/v1/shows", params={"theatre_id": "thr_london_soho", "date": day}).json()
    show_id = show["items"][0]["id"]
    staff = api.auth("staff-a@test.example")
    url = f"/v1/partner/shows/{show_id}/cancel-preview"
    empty = c.get(url, headers=staff).json()
    assert (empty["live_bookings"], empty["refunds"], empty["cancellable_now"]) == (0, [], True)

    cust = api.auth("cust-a@test.example")
    hold = c.post("/v1/holds", headers=cust, json={"show_id": show_id, "count": 3}).json()
    paid = c.post(
        "/v1/checkout",
        headers=cust,
        json={"hold_id": hold["id"], "payment": {"card_number": "4242424242424242"}},
    )
    assert paid.status_code == 201, paid.text
    total = paid.json()["booking"]["total"]
    preview = c.get(url, headers=staff).json()
    assert preview["live_bookings"] == 1 and preview["tickets"] == 3
    assert preview["customers"] == 1 and preview["cancellable_now"] is False
    assert preview["refunds"] == [total]
    assert c.delete(f"/v1/partner/shows/{show_id}", headers=staff).status_code == 409
    assert c.get(url, headers=api.auth("staff-b@test.example")).status_code == 404


def test_theatre_settings_carry_the_sales_rules_to_the_owner_only(api):
    c = api.client
    url = "/v1/partner/theatres/thr_chennai_adyar/settings"
    got = c.get(url, headers=api.auth("staff-a@test.example"))
    assert got.status_code == 200
    body = got.json()
    assert body["rules"]["no_orphan_seats"] is True and body["currency"] == "INR"
    assert {"hold_ttl_seconds", "max_seats_per_hold", "cancellation"} <= set(body["rules"])
    assert c.get(url, headers=api.auth("staff-b@test.example")).status_code == 404
