"""A customer's bookings say which show they are for (movie in the reader's language, theatre,
screen, local start), and the catalog's shows name their screen: the web app lists them
without a request per booking."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from store import catalog
from tests.api.test_journeys import CARD_OK, _tomorrow_show


def _book(api, show_id: str, seats: list[str]) -> dict:
    auth = api.auth("cust-a@test.example")
    c = api.client
    hold = c.post("/v1/holds", headers=auth, json={"show_id": show_id, "seat_ids": seats})
    assert hold.status_code == 201, hold.text
    paid = c.post(
        "/v1/checkout", headers=auth, json={"hold_id": hold.json()["id"], "payment": CARD_OK}
    )
    assert paid.status_code == 201, paid.text
    return paid.json()["booking"]


def test_bookings_list_names_movie_theatre_screen_and_local_start(api) -> None:
    c = api.client
    show = _tomorrow_show(c)
    booked = _book(api, show["id"], ["D4", "D5"])
    with api.hub.engine.connect() as conn:
        stored = catalog.get_show(conn, show["id"])
        theatre = catalog.get_theatre(conn, stored.theatre_id)
        screen = {s.id: s for s in catalog.list_screens(conn, stored.theatre_id)}[stored.screen_id]
        movie = catalog.get_movie(conn, stored.movie_id)

    auth = api.auth("cust-a@test.example")
    listed = c.get("/v1/bookings", headers=auth).json()["items"]
    mine = next(b for b in listed if b["id"] == booked["id"])
    details = mine["show"]
    assert details["theatre_name"] == theatre.name
    assert details["screen_name"] == screen.name
    assert details["movie_id"] == stored.movie_id
    assert details["movie_title"] == movie.title.resolve([], movie.original_language)
    assert details["timezone"] == theatre.timezone
    local = datetime.fromisoformat(details["local_start"])
    assert local == stored.start
    assert local.utcoffset() == stored.start.astimezone(ZoneInfo(theatre.timezone)).utcoffset()
    assert details["format"] == show["format"] and details["language"] == show["language"]

    one = c.get(f"/v1/bookings/{booked['id']}", headers=auth).json()
    assert one["show"] == details


def test_the_title_follows_accept_language(api) -> None:
    c = api.client
    with api.hub.engine.connect() as conn:
        movie = catalog.get_movie(conn, "mov_kaala_vettai")
    assert {"en", "ta"} <= set(movie.title.values), "demo: the Tamil film has an English title"
    assert movie.title.values["en"] != movie.title.values["ta"]
    shows = c.get("/v1/shows", params={"movie_id": "mov_kaala_vettai", "limit": 1}).json()
    booked = _book(api, shows["items"][0]["id"], ["E7"])
    auth = api.auth("cust-a@test.example")
    for language in ("ta-IN", "en"):
        body = c.get(
            f"/v1/bookings/{booked['id']}", headers={**auth, "Accept-Language": language}
        ).json()
        tag = language.split("-")[0]
        assert body["show"]["movie_title"] == movie.title.values[tag]
        assert body["show"]["title_language"] == tag


def test_catalog_shows_name_their_screen(api) -> None:
    c = api.client
    items = c.get("/v1/shows", params={"theatre_id": "thr_chennai_marina", "limit": 50}).json()
    with api.hub.engine.connect() as conn:
        names = {s.id: s.name for s in catalog.list_screens(conn, "thr_chennai_marina")}
    assert len(names) > 1, "demo: the theatre has several screens"
    assert {s["screen_name"] for s in items["items"]} == {
        names[s["screen_id"]] for s in items["items"]
    }
    one = items["items"][0]
    assert c.get(f"/v1/shows/{one['id']}").json()["screen_name"] == names[one["screen_id"]]
    storefront = c.get(f"/v1/storefront/shows/{one['id']}").json()
    assert storefront["show"]["screen_name"] == names[one["screen_id"]]
