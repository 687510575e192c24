"""Failure answers: a missing database is a 503 with Retry-After, a NUL byte or a doctored
cursor is a 4xx, and a DTD hidden past the first 64 KB of an XML document is still refused.

Attacks replayed: requests during a database outage (500s with stack-trace-shaped errors); NUL
bytes in paths, query strings, JSON and form bodies and inside cursors (PostgreSQL refuses NUL in
text: each was a 500); a billion-laughs document whose DTD follows 70 KB of comment.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.mapping import DeadLetter, load_mapping
from api.app import create_app
from api.pagination import encode_cursor
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from tests.api.conftest import Api, make_api

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
CTX = {"connector_id": "t", "theatres": {"1001": {"timezone": "Asia/Kolkata", "currency": "INR"}}}


@pytest.fixture
def pg(fresh_pg_url: str) -> Iterator[Api]:
    yield from make_api(fresh_pg_url)


@pytest.mark.postgres
def test_database_away_is_503_with_retry_after(pg: Api):
    token = pg.token("cust-a@test.example")
    # The same application, its PostgreSQL gone (nothing listens on the port any more).
    dead = build_hub(Settings(database_url="postgresql+psycopg://marquee@127.0.0.1:9/gone"))
    with TestClient(create_app(dead, run_worker=False)) as client:
        for method, path, kwargs in [
            ("GET", "/v1/theatres", {}),
            ("GET", "/v1/me", {"headers": {"Authorization": f"Bearer {token}"}}),
            (
                "POST",
                "/v1/auth/token",
                {"data": {"grant_type": "password", "username": "a@b.co", "password": "x" * 9}},
            ),
        ]:
            r = client.request(method, path, **kwargs)
            assert r.status_code == 503, (path, r.status_code, r.text)
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["code"] == "unavailable"
            assert "psycopg" not in r.text and "9/gone" not in r.text


@pytest.mark.postgres
@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("GET", "/v1/theatres/thr%00x", {}),
        ("GET", "/v1/theatres?city=Chen%00nai", {}),
        ("GET", "/v1/admin/users/usr%00x", {"admin": True}),
        ("POST", "/v1/auth/signup", {"json": {"email": "a\x00@b.co", "password": "x" * 12}}),
        (
            "POST",
            "/v1/auth/token",
            {
                "data": {
                    "grant_type": "client_credentials",
                    "client_id": "c\x00",
                    "client_secret": "s",
                }
            },
        ),
        ("PATCH", "/v1/me", {"json": {"name": "Eve\x00"}, "customer": True}),
    ],
)
def test_nul_anywhere_is_a_400(pg: Api, method: str, path: str, kwargs: dict):
    headers = {}
    if kwargs.pop("admin", False):
        headers = pg.auth("admin@test.example")
    if kwargs.pop("customer", False):
        headers = pg.auth("cust-a@test.example")
    r = pg.client.request(method, path, headers=headers, **kwargs)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_character"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "path, key",
    [
        ("/v1/admin/users", ["usr\x00"]),
        ("/v1/admin/audit-log", [2**70]),
        ("/v1/admin/users", {"not": "a list"}),
    ],
)
def test_doctored_cursors_are_a_400(pg: Api, path: str, key):
    cursor = encode_cursor(key) if isinstance(key, list) else "e30"  # "{}"
    r = pg.client.get(path, params={"cursor": cursor}, headers=pg.auth("admin@test.example"))
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_cursor"


def _late_dtd() -> bytes:
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 9))
    return (
        b'<?xml version="1.0"?>\n<!-- '
        + b"x" * 70_000
        + b' -->\n<!DOCTYPE s [<!ENTITY l0 "lol">'
        + laughs.encode()
        + b']>\n<Sessions xmlns="urn:soapbox:ticketing:2"><Session><SessionId>&l8;</SessionId>'
        + b"</Session></Sessions>"
    )


def test_a_dtd_after_the_first_64_kb_is_refused():
    soapbox = load_mapping(MAPPINGS / "soapbox" / "mapping.yaml")
    payload = _late_dtd()
    result = soapbox.read("show", payload, CTX)
    assert result.records == [] and len(result.dead_letters) == 1
    assert "DTD or entity declarations is refused" in result.dead_letters[0].reason
    streamed = list(soapbox.stream("show", io.BytesIO(payload), CTX))
    assert len(streamed) == 1 and isinstance(streamed[0], DeadLetter)
    assert "DTD or entity declarations is refused" in streamed[0].reason
