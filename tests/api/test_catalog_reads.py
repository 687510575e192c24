"""Read-only catalog endpoints over the demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings


@pytest.fixture
def client(db_url):
    hub = build_hub(Settings(database_url=db_url))
    load_demo(hub.engine, days=2)
    with TestClient(create_app(hub, run_worker=False)) as c:
        yield c
    hub.engine.dispose()


def test_health_and_ready(client):
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json()["status"] == "ready"


def test_theatres_by_city(client):
    chennai = client.get("/v1/theatres", params={"city": "chennai"}).json()["items"]
    assert {t["id"] for t in chennai} == {"thr_chennai_marina", "thr_chennai_adyar"}
    assert client.get("/v1/theatres/thr_nowhere").status_code == 404


def test_movies_pick_the_language_the_customer_asks_for(client):
    movies = client.get(
        "/v1/movies", params={"city": "Chennai"}, headers={"Accept-Language": "hi-IN, en;q=0.5"}
    ).json()["items"]
    by_id = {m["id"]: m for m in movies}
    assert by_id["mov_orbit_nine"]["title"] == "ऑर्बिट नाइन"
    assert by_id["mov_paper_moons"]["title"] == "Paper Moons"  # no Hindi: falls back
    assert by_id["mov_paper_moons"]["title_language"] == "en"


def test_shows_carry_local_time_and_business_date(client):
    shows = client.get("/v1/shows", params={"theatre_id": "thr_london_soho"}).json()["items"]
    assert shows, "the demo has upcoming shows"
    for show in shows:
        start = datetime.fromisoformat(show["start"])
        assert start.tzinfo is not None and start > datetime.now(UTC)
        assert show["local_start"].endswith(("+00:00", "+01:00"))
        assert show["prices"][0]["price"]["currency"] == "GBP"


def test_seat_map_of_a_show(client):
    shows = client.get("/v1/shows", params={"theatre_id": "thr_chennai_marina"}).json()
    show_id = shows["items"][0]["id"]
    seat_map = client.get(f"/v1/shows/{show_id}/seat-map").json()
    assert seat_map["total"] == seat_map["available"] == len(seat_map["seats"]) == 192
    assert seat_map["categories"]["recliner"]["price"] == {"amount": 45000, "currency": "INR"}
    first = next(s for s in seat_map["seats"] if s["id"] == "A1")
    assert first["flags"] == ["wheelchair"] and first["row"] == "A"
    assert client.get("/v1/shows/shw_missing/seat-map").status_code == 404
