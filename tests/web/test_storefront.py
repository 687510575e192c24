"""Static web app at /, storefront reads, posters, cancellation quote."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers import images, web
from tests.api.conftest import Api, make_api


@pytest.fixture
def api(sqlite_url: str, tmp_path: Path) -> Iterator[Api]:
    before = images.image_store()
    images.use_store(images.LocalImageStore(tmp_path / "images"))
    yield from make_api(sqlite_url)
    images.use_store(before)


def test_web_app_files_cache_headers_and_spa_fallback(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("no")
    app = FastAPI()
    web.install(app, dist)
    client = TestClient(app)
    index = client.get("/")
    assert index.status_code == 200 and "root" in index.text
    assert index.headers["cache-control"] == "no-cache"
    asset = client.get("/assets/index-abc123.js")
    assert "immutable" in asset.headers["cache-control"]
    route = client.get("/movies/mov_x")  # an app route, not a file
    assert route.status_code == 200 and "root" in route.text
    assert client.get("/v1/unknown").status_code == 404
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/..%2Fsecret.txt").status_code == 404
    assert client.head("/").status_code == 200


def test_storefront_finds_titles_in_any_language(api: Api) -> None:
    tamil = api.client.get("/v1/storefront/movies", params={"city": "Chennai", "q": "காலா"})
    assert [m["id"] for m in tamil.json()["items"]] == ["mov_kaala_vettai"]
    body = api.client.get("/v1/storefront/movies", params={"city": "Chennai"}).json()
    assert {"Chennai", "London"} <= set(body["cities"])
    assert body["formats"] and body["languages"] and body["genres"]
    movie = next(m for m in body["items"] if m["id"] == "mov_kaala_vettai")
    assert len(movie["titles"]) >= 2 and movie["status"] == "now_showing"
    none = api.client.get("/v1/storefront/movies", params={"city": "Chennai", "q": "zzzz"})
    assert none.json()["items"] == []


def test_storefront_show_has_the_selling_rules(api: Api) -> None:
    show = api.client.get("/v1/shows", params={"theatre_id": "thr_chennai_marina"}).json()
    show_id = show["items"][0]["id"]
    body = api.client.get(f"/v1/storefront/shows/{show_id}").json()
    assert body["theatre"]["timezone"] == "Asia/Kolkata"
    assert body["rules"]["max_seats_per_hold"] >= 1
    assert api.client.get("/v1/storefront/shows/nope").status_code == 404


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    raw = zlib.compress(b"\x00\xff\x00\x00")
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_partner_uploads_a_poster_served_with_cache_headers(api: Api) -> None:
    partner = api.auth("staff-a@test.example")
    bad = api.client.put(
        "/v1/partner/movies/mov_orbit_nine/poster", content=b"<svg/>", headers=partner
    )
    assert bad.status_code == 415
    customer = api.auth("cust-a@test.example")
    denied = api.client.put(
        "/v1/partner/movies/mov_orbit_nine/poster", content=_png(), headers=customer
    )
    assert denied.status_code == 403
    r = api.client.put(
        "/v1/partner/movies/mov_orbit_nine/poster",
        content=_png(),
        headers={**partner, "Content-Type": "image/png"},
    )
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    got = api.client.get(url)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert "immutable" in got.headers["cache-control"]
    again = api.client.get(url, headers={"If-None-Match": got.headers["etag"]})
    assert again.status_code == 304
    listed = api.client.get("/v1/storefront/movies", params={"city": "Chennai"}).json()
    assert next(m for m in listed["items"] if m["id"] == "mov_orbit_nine")["poster_url"] == url
    one = api.client.get("/v1/storefront/movies/mov_orbit_nine", params={"city": "Chennai"})
    assert one.json()["poster_url"] == url and one.json()["formats"]
    assert api.client.get("/v1/storefront/movies/nope").status_code == 404


def test_cancellation_quote_matches_the_cancellation(api: Api) -> None:
    auth = api.auth("cust-a@test.example")
    show = api.client.get("/v1/shows", params={"theatre_id": "thr_chennai_marina"}).json()
    future = show["items"][-1]["id"]
    hold = api.client.post("/v1/holds", json={"show_id": future, "count": 2}, headers=auth)
    assert hold.status_code == 201, hold.text
    paid = api.client.post(
        "/v1/checkout",
        json={"hold_id": hold.json()["id"], "payment": {"card_number": "4242424242424242"}},
        headers=auth,
    )
    booking = paid.json()["booking"]["id"]
    quote = api.client.get(f"/v1/bookings/{booking}/cancellation-quote", headers=auth).json()
    other = api.auth("cust-b@test.example")
    assert (
        api.client.get(f"/v1/bookings/{booking}/cancellation-quote", headers=other).status_code
        == 404
    )
    if not quote["cancellable"]:
        pytest.skip(f"demo show too close to cancel: {quote['reason']}")
    done = api.client.post(f"/v1/bookings/{booking}/cancel", headers=auth).json()
    assert done["refund"] == quote["refund"] and done["fee"] == quote["fee"]
