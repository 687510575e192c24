"""Contract details: problem+json everywhere, validation errors listing fields, cursors, ETags,
request ids, the size limit, rate limits, CORS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.ratelimit import RateLimits
from tests.api.conftest import PASSWORD, make_api


def test_unknown_route_and_resource_are_problems(api):
    for path in ("/v1/nowhere", "/v1/theatres/thr_nowhere"):
        r = api.client.get(path)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["status"] == 404 and body["code"] in ("not_found", "unknown_theatre")
        assert body["type"].endswith(body["code"]) and body["instance"] == path


def test_validation_errors_are_problems_listing_the_fields(api):
    r = api.client.post(
        "/v1/auth/signup", json={"email": "not-an-email", "password": "x", "surprise": 1}
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "validation_failed"
    fields = {e["field"] for e in body["errors"]}
    assert {"body.email", "body.password", "body.surprise"} <= fields


def test_cursor_pagination_walks_every_item_once(api):
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v1/shows", params=params).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    everything = api.client.get("/v1/shows", params={"limit": 200}).json()["items"]
    assert seen == [s["id"] for s in everything] and len(seen) > 6
    bad = api.client.get("/v1/shows", params={"cursor": "!!!"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"


def test_etag_and_if_none_match_on_seat_map_and_movie(api):
    show_id = api.client.get("/v1/shows").json()["items"][0]["id"]
    first = api.client.get(f"/v1/shows/{show_id}/seat-map")
    etag = first.headers["etag"]
    again = api.client.get(f"/v1/shows/{show_id}/seat-map", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    movie = api.client.get("/v1/movies/mov_kaala_vettai", headers={"Accept-Language": "en"})
    tamil = api.client.get("/v1/movies/mov_kaala_vettai", headers={"Accept-Language": "ta"})
    assert movie.headers["etag"] != tamil.headers["etag"]
    assert movie.headers["content-language"] == "en" and movie.headers["vary"] == "Accept-Language"


def test_request_id_is_echoed_or_made(api):
    r = api.client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert len(api.client.get("/health").headers["x-request-id"]) == 32


def test_oversized_body_is_413(sqlite_url):
    for api in make_api(sqlite_url, max_request_bytes=200):
        r = api.client.post("/v1/auth/signup", json={"email": "a@b.co", "password": "x" * 500})
        assert r.status_code == 413 and r.json()["code"] == "request_too_large"


@pytest.fixture
def limited(sqlite_url) -> Iterator:
    yield from make_api(
        sqlite_url,
        rate_limits=RateLimits(login_per_ip="3/hour"),
        cors_origins=["https://app.example"],
    )


def test_login_rate_limit_answers_429_with_retry_after(limited):
    codes = [
        limited.client.post(
            "/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "cust-a@test.example",
                "password": PASSWORD,
            },
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    r = limited.client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "cust-a@test.example", "password": PASSWORD},
    )
    assert r.json()["code"] == "rate_limited" and 0 < int(r.headers["retry-after"]) <= 3600


def test_cors_allows_only_configured_origins(limited):
    ok = limited.client.options(
        "/v1/theatres",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    other = limited.client.get("/v1/theatres", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_metrics_count_requests_by_route(api):
    api.client.get("/v1/theatres")
    text = api.client.get("/metrics").text
    assert 'marquee_http_requests_total{method="GET",route="/v1/theatres",status="200"}' in text
    assert "marquee_http_request_duration_seconds_bucket" in text


def test_logs_are_json_with_request_id_and_no_secrets(api, capsys):
    import json

    api.client.post(
        "/v1/auth/token",
        headers={"X-Request-ID": "trace-42"},
        data={"grant_type": "password", "username": "cust-a@test.example", "password": PASSWORD},
    )
    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    access = [entry for entry in lines if entry.get("logger") == "marquee.access"]
    assert access and access[-1]["request_id"] == "trace-42"
    assert access[-1]["route"] == "/v1/auth/token" and access[-1]["status"] == 200
    assert PASSWORD not in json.dumps(lines) and "cust-a@test.example" not in json.dumps(lines)
