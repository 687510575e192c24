"""Seat category colours are saved with a seat layout through the partner API (#rrggbb, for the
theatre's declared categories), read back with it, kept by a layout sent without them, and shown
on the customer's seat map next to the categories' names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

STAFF_A = "staff-a@test.example"
MARINA = "thr_chennai_marina"
SCREEN = "scr_colours"


def _layout(colours: dict[str, str] | None = None) -> dict:
    seats = [
        {
            "id": f"A{n}",
            "label": f"A{n}",
            "position": {"area": 0, "row": 0, "column": n},
            "category": "standard" if n < 3 else "premium",
        }
        for n in range(1, 5)
    ]
    body: dict = {
        "categories": ["standard", "premium"],
        "areas": [
            {"number": 0, "name": "Stalls", "rows": [{"name": "A", "index": 0, "seats": seats}]}
        ],
    }
    if colours is not None:
        body["category_colours"] = colours
    return body


@pytest.fixture
def screen(api) -> dict[str, str]:
    auth = api.auth(STAFF_A)
    made = api.client.post(
        f"/v1/partner/theatres/{MARINA}/screens",
        headers=auth,
        json={"id": SCREEN, "name": "Colours", "formats": ["2D"]},
    )
    assert made.status_code == 201, made.text
    return auth


def _put(api, auth, body):
    return api.client.put(f"/v1/partner/screens/{SCREEN}/layout", headers=auth, json=body)


def _get(api, auth) -> dict:
    got = api.client.get(f"/v1/partner/screens/{SCREEN}/layout", headers=auth)
    assert got.status_code == 200, got.text
    return got.json()


def test_colours_are_saved_with_the_layout_and_read_back(api, screen):
    put = _put(api, screen, _layout({"standard": "#CFE3FF", "premium": "#7b1fa2"}))
    assert put.status_code == 200, put.text
    # One spelling per colour: stored lower-case.
    assert put.json()["category_colours"] == {"standard": "#cfe3ff", "premium": "#7b1fa2"}
    assert _get(api, screen)["category_colours"] == {"standard": "#cfe3ff", "premium": "#7b1fa2"}

    # A layout sent without colours keeps them; an empty map clears them; one left out loses it.
    assert _put(api, screen, _layout()).status_code == 200
    assert _get(api, screen)["category_colours"] == {"standard": "#cfe3ff", "premium": "#7b1fa2"}
    assert _put(api, screen, _layout({"premium": "#7b1fa2"})).status_code == 200
    assert _get(api, screen)["category_colours"] == {"premium": "#7b1fa2"}
    # The screen's page tells a layout editor the theatre's colours, for any screen of it.
    detail = api.client.get(f"/v1/partner/screens/{SCREEN}", headers=screen).json()
    assert detail["category_colours"] == {"premium": "#7b1fa2"}
    assert _put(api, screen, _layout({})).status_code == 200
    assert _get(api, screen)["category_colours"] == {}


@pytest.mark.parametrize("colour", ["red", "#abc", "#12345g", "cfe3ff", "#cfe3ff0", ""])
def test_a_colour_that_is_not_rrggbb_is_refused_and_nothing_is_saved(api, screen, colour):
    assert _put(api, screen, _layout({"standard": "#cfe3ff"})).status_code == 200
    before = _get(api, screen)
    bad = _put(api, screen, _layout({"standard": colour}))
    assert bad.status_code == 422, bad.text
    assert "category_colours" in bad.text
    after = _get(api, screen)
    assert after["version"] == before["version"]
    assert after["category_colours"] == {"standard": "#cfe3ff"}


def test_a_colour_for_a_category_the_layout_does_not_declare_is_refused(api, screen):
    bad = _put(api, screen, _layout({"standard": "#cfe3ff", "gold": "#ffd700"}))
    assert bad.status_code == 422, bad.text
    assert bad.json()["code"] == "unknown_category" and bad.json()["categories"] == ["gold"]
    assert api.client.get(f"/v1/partner/screens/{SCREEN}/layout", headers=screen).status_code == 404


def test_the_customer_seat_map_shows_the_colours_with_the_names(api, screen):
    c = api.client
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show = c.get("/v1/shows", params={"theatre_id": MARINA, "date": day}).json()["items"][0]
    codes = {s["category"] for s in c.get(f"/v1/shows/{show['id']}/seat-map").json()["seats"]}
    assert "standard" in codes
    # Colours are the theatre's, like its category names: another screen's layout sets them.
    assert _put(api, screen, _layout({"standard": "#336699"})).status_code == 200
    labels = c.get(f"/v1/shows/{show['id']}/seat-map").json()["category_labels"]
    assert {x["code"]: x["colour"] for x in labels}["standard"] == "#336699"
    assert all(x["colour"] is None for x in labels if x["code"] != "standard")

    # A name set later keeps the colour; removing the name keeps it too.
    url = f"/v1/partner/theatres/{MARINA}/seat-categories/standard"
    named = c.put(url, headers=screen, json={"name": "Classic", "sort_order": 1})
    assert named.status_code == 200 and named.json()["colour"] == "#336699"
    labels = c.get(f"/v1/shows/{show['id']}/seat-map").json()["category_labels"]
    standard = next(x for x in labels if x["code"] == "standard")
    assert (standard["name"], standard["colour"]) == ("Classic", "#336699")
    assert c.delete(url, headers=screen).status_code == 204
    labels = c.get(f"/v1/shows/{show['id']}/seat-map").json()["category_labels"]
    standard = next(x for x in labels if x["code"] == "standard")
    assert standard["name"] != "Classic" and standard["colour"] == "#336699"
    # With no name set, the partner's list of names has nothing to show.
    assert c.get(f"/v1/partner/theatres/{MARINA}/seat-categories", headers=screen).json() == []
