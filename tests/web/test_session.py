"""Browser sessions: httpOnly cookies, CSRF double submit, the same principal checks as bearer
tokens, sign-out, password reset by mail."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings
from tests.api.conftest import PASSWORD, seed_accounts

SHOW = "shw_chennai_marina_1"


@pytest.fixture
def hub(sqlite_url: str, tmp_path: Path):
    hub = build_hub(Settings(database_url=sqlite_url, notify_dir=tmp_path / "mail"))
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    yield hub
    hub.engine.dispose()


def _client(hub, base_url: str = "http://127.0.0.1") -> Iterator[TestClient]:
    with TestClient(create_app(hub, run_worker=False), base_url=base_url) as client:
        yield client


@pytest.fixture
def browser(hub) -> Iterator[TestClient]:
    yield from _client(hub)


def _csrf(client: TestClient) -> str:
    client.get("/v1/session")
    return client.cookies["mq_csrf"]


def _sign_in(client: TestClient, email: str = "cust-a@test.example") -> str:
    csrf = _csrf(client)
    r = client.post(
        "/v1/session/sign-in",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def _show_id(client: TestClient) -> str:
    items = client.get("/v1/shows", params={"theatre_id": "thr_chennai_marina"}).json()["items"]
    return items[0]["id"]


def test_sign_in_sets_httponly_cookies_and_hands_out_no_token(browser: TestClient) -> None:
    csrf = _csrf(browser)
    r = browser.post(
        "/v1/session/sign-in",
        json={"email": "cust-a@test.example", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200
    assert "access_token" not in r.text and "refresh_token" not in r.text
    cookies = {c.split("=", 1)[0]: c.lower() for c in r.headers.get_list("set-cookie")}
    assert "httponly" in cookies["mq_access"] and "samesite=lax" in cookies["mq_access"]
    assert "httponly" in cookies["mq_refresh"] and "path=/v1/session" in cookies["mq_refresh"]
    assert "httponly" not in cookies["mq_csrf"]  # the page must read it to echo it
    # Plain http is allowed for the loopback demo only.
    assert "secure" not in cookies["mq_access"]
    assert browser.get("/v1/session").json()["user"]["email"] == "cust-a@test.example"


def test_cookies_are_secure_off_loopback(hub) -> None:
    for client in _client(hub, "https://tickets.example"):
        csrf = _csrf(client)
        r = client.post(
            "/v1/session/sign-in",
            json={"email": "cust-a@test.example", "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 200
        assert all("secure" in c.lower() for c in r.headers.get_list("set-cookie"))


def test_unsafe_requests_need_the_csrf_header(browser: TestClient) -> None:
    csrf = _sign_in(browser)
    show = _show_id(browser)
    refused = browser.post("/v1/holds", json={"show_id": show, "count": 1})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    wrong = browser.post(
        "/v1/holds", json={"show_id": show, "count": 1}, headers={"X-CSRF-Token": "guess"}
    )
    assert wrong.status_code == 403
    ok = browser.post(
        "/v1/holds", json={"show_id": show, "count": 1}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 201, ok.text
    # Reads need no header.
    assert browser.get("/v1/bookings").status_code == 200


def test_sign_in_itself_needs_the_csrf_header(browser: TestClient) -> None:
    browser.get("/v1/session")
    r = browser.post(
        "/v1/session/sign-in", json={"email": "cust-a@test.example", "password": PASSWORD}
    )
    assert r.status_code == 403


def test_a_forged_cookie_is_refused_like_a_forged_bearer_token(browser: TestClient) -> None:
    _sign_in(browser)
    token = browser.cookies["mq_access"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    browser.cookies.set("mq_access", forged, domain="127.0.0.1", path="/")
    r = browser.get("/v1/bookings")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_refresh_rotates_and_sign_out_ends_the_session(browser: TestClient) -> None:
    csrf = _sign_in(browser)
    old_refresh = browser.cookies["mq_refresh"]
    r = browser.post("/v1/session/refresh", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert browser.cookies["mq_refresh"] != old_refresh
    new_refresh = browser.cookies["mq_refresh"]
    r = browser.post("/v1/session/sign-out", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert browser.get("/v1/session").json()["user"] is None
    browser.cookies.set("mq_refresh", new_refresh, domain="127.0.0.1", path="/v1/session")
    again = browser.post("/v1/session/refresh", headers={"X-CSRF-Token": csrf})
    assert again.status_code == 401


def test_sign_up_asks_to_check_the_mail_then_signs_in(browser: TestClient) -> None:
    csrf = _csrf(browser)
    r = browser.post(
        "/v1/session/sign-up",
        json={"email": "new@test.example", "password": "long enough pass", "name": "New"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 202, r.text
    # No session from sign-up: starting one only for new addresses would reveal which exist.
    assert browser.get("/v1/session").json()["user"] is None
    dup = browser.post(
        "/v1/session/sign-up",
        json={"email": "new@test.example", "password": "long enough pass"},
        headers={"X-CSRF-Token": browser.cookies["mq_csrf"]},
    )
    assert (dup.status_code, dup.json()) == (r.status_code, r.json())
    signed_in = browser.post(
        "/v1/session/sign-in",
        json={"email": "new@test.example", "password": "long enough pass"},
        headers={"X-CSRF-Token": browser.cookies["mq_csrf"]},
    )
    assert signed_in.status_code == 200, signed_in.text
    assert browser.get("/v1/session").json()["user"]["email"] == "new@test.example"


def _reset_token(mail_dir: Path) -> str:
    lines = (mail_dir / "email.jsonl").read_text().splitlines()
    body = json.loads(lines[-1])["body"]
    match = re.search(r"reset-password\?token=(\S+)", body)
    assert match, body
    return match.group(1)


def test_password_reset_by_mail(browser: TestClient, tmp_path: Path) -> None:
    csrf = _csrf(browser)
    unknown = browser.post(
        "/v1/session/password-reset",
        json={"email": "nobody@test.example"},
        headers={"X-CSRF-Token": csrf},
    )
    assert unknown.status_code == 202
    assert not (tmp_path / "mail" / "email.jsonl").exists()  # nothing revealed, nothing sent
    r = browser.post(
        "/v1/session/password-reset",
        json={"email": "cust-b@test.example"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 202
    token = _reset_token(tmp_path / "mail")
    done = browser.post(
        "/v1/session/password-reset/confirm",
        json={"token": token, "password": "a brand new password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert done.status_code == 200, done.text
    reused = browser.post(
        "/v1/session/password-reset/confirm",
        json={"token": token, "password": "yet another password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert reused.status_code == 400  # one use: the password it named has changed
    old = browser.post(
        "/v1/session/sign-in",
        json={"email": "cust-b@test.example", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert old.status_code == 401
    new = browser.post(
        "/v1/session/sign-in",
        json={"email": "cust-b@test.example", "password": "a brand new password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert new.status_code == 200
