"""Tenant isolation by construction. Attack replayed: partner B picks the same names partner A
used for everything (theatre, screens, layouts, shows, prices) - or names that the server used
to turn into the same ids ("scr_main" and "main" both made layout "lay_main_v1") - hoping to
overwrite or read A's objects. B is refused or gets objects of its own; A's stay A's. Creations
racing for one id cannot overwrite each other either."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import OTHER_THEATRE, make_api

pytestmark = pytest.mark.postgres

A, B = "staff-a@test.example", "staff-b@test.example"


def layout(rows: str, per_row: int, category: str) -> dict:
    return {
        "categories": [category],
        "areas": [
            {
                "number": 0,
                "rows": [
                    {
                        "index": i,
                        "name": r,
                        "seats": [
                            {
                                "id": f"{r}{c}",
                                "label": f"{r}{c}",
                                "position": {"area": 0, "row": i, "column": c},
                                "category": category,
                            }
                            for c in range(per_row)
                        ],
                    }
                    for i, r in enumerate(rows)
                ],
            }
        ],
    }


@pytest.fixture
def pg_api(fresh_pg_url):
    yield from make_api(fresh_pg_url)


def _theatre(theatre_id: str) -> dict:
    return {
        "id": theatre_id,
        "name": "Twin",
        "city": "Pune",
        "country": "IN",
        "timezone": "Asia/Kolkata",
        "currency": "INR",
    }


def _show(show_id: str, screen_id: str, amount: int) -> dict:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    return {
        "id": show_id,
        "screen_id": screen_id,
        "movie_id": "mov_twin",
        "start": start.isoformat(),
        "language": "en",
        "ticket_types": [
            {
                "code": "ADULT",
                "name": "Adult",
                "category": "standard",
                "price": {"amount": amount, "currency": "INR"},
            }
        ],
    }


def test_same_names_never_reach_the_other_partner(pg_api):
    c = pg_api.client
    a, b = pg_api.auth(A), pg_api.auth(B)
    movie = {
        "id": "mov_twin",
        "title": {"en": "Twin"},
        "original_language": "en",
        "runtime_minutes": 100,
    }
    assert c.post("/v1/partner/movies", json=movie, headers=a).status_code == 201
    # Partner A builds its theatre.
    assert c.post("/v1/partner/theatres", json=_theatre("thr_twin"), headers=a).status_code == 201
    screen = {"id": "scr_main", "name": "Main", "formats": ["2D"]}
    r = c.post("/v1/partner/theatres/thr_twin/screens", json=screen, headers=a)
    assert r.status_code == 201, r.text
    r = c.put("/v1/partner/screens/scr_main/layout", json=layout("AB", 5, "standard"), headers=a)
    assert r.status_code == 200, r.text
    a_layout = r.json()
    r = c.post(
        "/v1/partner/theatres/thr_twin/shows", json=_show("shw_twin", "scr_main", 20000), headers=a
    )
    assert r.status_code == 201, r.text

    # Partner B uses the same names: each is refused, nothing of A's changes hands.
    assert c.post("/v1/partner/theatres", json=_theatre("thr_twin"), headers=b).status_code == 409
    r = c.post(f"/v1/partner/theatres/{OTHER_THEATRE}/screens", json=screen, headers=b)
    assert r.status_code == 409
    r = c.post(
        f"/v1/partner/theatres/{OTHER_THEATRE}/shows",
        json=_show("shw_twin", "scr_main", 1),
        headers=b,
    )
    assert r.status_code in (409, 422)
    # ... and names that used to collide after the server derived ids from them.
    twin = {"id": "main", "name": "Main", "formats": ["2D"]}
    r = c.post(f"/v1/partner/theatres/{OTHER_THEATRE}/screens", json=twin, headers=b)
    assert r.status_code == 201, r.text
    r = c.put("/v1/partner/screens/main/layout", json=layout("XYZ", 9, "standard"), headers=b)
    assert r.status_code == 200, r.text
    assert r.json()["id"] != a_layout["id"]
    # B can neither read nor change A's objects by naming them.
    for path in (
        "/v1/partner/theatres/thr_twin",
        "/v1/partner/screens/scr_main/layout",
        "/v1/partner/shows/shw_twin",
    ):
        assert c.get(path, headers=b).status_code == 404, path
    assert (
        c.put("/v1/partner/theatres/thr_twin", json=_theatre("thr_twin"), headers=b).status_code
        == 404
    )
    prices = {"ticket_types": _show("x", "x", 1)["ticket_types"]}
    assert c.put("/v1/partner/shows/shw_twin/prices", json=prices, headers=b).status_code == 404
    # A's objects are exactly as A made them.
    assert c.get("/v1/partner/screens/scr_main/layout", headers=a).json() == a_layout
    show = c.get("/v1/partner/shows/shw_twin", headers=a).json()
    assert show["theatre_id"] == "thr_twin"
    assert [p["price"]["amount"] for p in show["prices"]] == [20000]


def test_racing_creations_of_one_id_cannot_overwrite(pg_api):
    c = pg_api.client
    a, b = pg_api.auth(A), pg_api.auth(B)
    assert c.post("/v1/partner/theatres", json=_theatre("thr_a_side"), headers=a).status_code == 201
    answers: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def create(who: str, headers: dict, theatre: str) -> None:
        barrier.wait()
        body = {"id": "scr_contested", "name": who, "formats": ["2D"]}
        answers[who] = c.post(
            f"/v1/partner/theatres/{theatre}/screens", json=body, headers=headers
        ).status_code

    threads = [
        threading.Thread(target=create, args=("a", a, "thr_a_side")),
        threading.Thread(target=create, args=("b", b, OTHER_THEATRE)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(answers.values()) == [201, 409], answers
    winner = next(w for w, code in answers.items() if code == 201)
    theatre = "thr_a_side" if winner == "a" else OTHER_THEATRE
    screens = c.get(f"/v1/partner/theatres/{theatre}/screens", headers=a if winner == "a" else b)
    assert [s["name"] for s in screens.json() if s["id"] == "scr_contested"] == [winner]
