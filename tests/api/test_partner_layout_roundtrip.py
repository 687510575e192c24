"""A seat layout saved through the partner API comes back exactly as it was sent: row names a
theatre skips (no I, no O), seat numbers with gaps, aisles, categories, flags, groups, areas."""

from __future__ import annotations

from typing import Any

STAFF_A = "staff-a@test.example"
SCREEN = "scr_roundtrip"


def _seat(area: int, row: str, r: int, number: int, col: int, cat: str, **extra: Any) -> dict:
    return {
        "id": f"{area}-{row}{number}",
        "label": f"{row}{number}",
        "position": {"area": area, "row": r, "column": col},
        "category": cat,
        **extra,
    }


def _layout() -> dict:
    # Rows H, J, K (no I), then N, P (no O) after an empty aisle row; seat numbers jump over a
    # gangway (1, 2, 5, 6) and one row counts right to left.
    stalls_rows = [
        ("H", 0, [(1, 0), (2, 1), (5, 4), (6, 5)]),
        ("J", 1, [(1, 0), (2, 1), (5, 4), (6, 5)]),
        ("K", 2, [(6, 0), (5, 1), (2, 4), (1, 5)]),
        ("N", 4, [(1, 1), (2, 2), (3, 3)]),
        ("P", 5, [(11, 0), (12, 1)]),
    ]
    stalls = {
        "number": 0,
        "name": "Stalls",
        "category": "standard",
        "rows": [
            {
                "name": name,
                "index": r,
                "seats": [_seat(0, name, r, n, c, "standard") for n, c in seats],
            }
            for name, r, seats in stalls_rows
        ],
    }
    stalls["rows"][0]["seats"][0]["flags"] = ["wheelchair"]
    stalls["rows"][0]["seats"][1]["flags"] = ["companion"]
    balcony = {
        "number": 1,
        "name": "Balcony",
        "category": "recliner",
        "rows": [
            {
                "name": "AA",
                "index": 0,
                "seats": [
                    _seat(1, "AA", 0, 1, 0, "recliner", group="sofa1"),
                    _seat(1, "AA", 0, 2, 1, "recliner", group="sofa1"),
                    _seat(1, "AA", 0, 4, 3, "premium"),
                ],
            }
        ],
    }
    return {"categories": ["standard", "premium", "recliner"], "areas": [stalls, balcony]}


def _normalized(areas: list[dict]) -> list[dict]:
    """Defaults filled in and flags sorted, so a sent and a served layout compare field by field."""
    out = []
    for area in areas:
        rows = []
        for row in area["rows"]:
            seats = [
                {
                    "id": s["id"],
                    "label": s["label"],
                    "position": s["position"],
                    "category": s.get("category", "standard"),
                    "flags": sorted(s.get("flags") or []),
                    "group": s.get("group"),
                }
                for s in row["seats"]
            ]
            rows.append({"name": row["name"], "index": row["index"], "seats": seats})
        out.append(
            {
                "number": area["number"],
                "name": area.get("name", ""),
                "category": area.get("category", "standard"),
                "rows": rows,
            }
        )
    return out


def _new_screen(api, auth) -> None:
    r = api.client.post(
        "/v1/partner/theatres/thr_chennai_marina/screens",
        headers=auth,
        json={"id": SCREEN, "name": "Round trip", "formats": ["2D"]},
    )
    assert r.status_code == 201, r.text


def test_a_saved_layout_reads_back_exactly_with_skipped_row_letters_and_seat_gaps(api):
    auth = api.auth(STAFF_A)
    _new_screen(api, auth)
    sent = _layout()
    put = api.client.put(f"/v1/partner/screens/{SCREEN}/layout", headers=auth, json=sent)
    assert put.status_code == 200, put.text
    assert _normalized(put.json()["areas"]) == _normalized(sent["areas"])

    got = api.client.get(f"/v1/partner/screens/{SCREEN}/layout", headers=auth)
    assert got.status_code == 200, got.text
    assert _normalized(got.json()["areas"]) == _normalized(sent["areas"])
    assert [r["name"] for r in got.json()["areas"][0]["rows"]] == ["H", "J", "K", "N", "P"]


def test_a_layout_read_back_and_saved_again_is_unchanged(api):
    auth = api.auth(STAFF_A)
    _new_screen(api, auth)
    api.client.put(f"/v1/partner/screens/{SCREEN}/layout", headers=auth, json=_layout())
    first = api.client.get(f"/v1/partner/screens/{SCREEN}/layout", headers=auth).json()
    again = {"categories": first["categories"], "areas": first["areas"]}
    put = api.client.put(f"/v1/partner/screens/{SCREEN}/layout", headers=auth, json=again)
    assert put.status_code == 200, put.text
    second = api.client.get(f"/v1/partner/screens/{SCREEN}/layout", headers=auth).json()
    assert second["version"] == first["version"] + 1
    assert second["areas"] == first["areas"]
    assert sorted(second["categories"]) == sorted(first["categories"])


def test_a_partner_reads_one_of_its_screens_by_id_with_the_theatre_name(api):
    auth = api.auth(STAFF_A)
    _new_screen(api, auth)
    r = api.client.get(f"/v1/partner/screens/{SCREEN}", headers=auth)
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["theatre_name"]) == ("Round trip", "Marquee Marina")
    other = api.client.get(
        f"/v1/partner/screens/{SCREEN}", headers=api.auth("staff-b@test.example")
    )
    assert other.status_code == 404
