"""Browser sessions follow the same rules as bearer tokens.

Attacks replayed: cookie sign-up answered 409 `email_taken` for a registered address (account
enumeration) and signed a new address in at once; cookie sign-in counted every attempt per
account, so a stranger could lock the victim out, and never backed off per address; a copied
access token kept working after sign-out until the standing cache expired; a reset link mailed
just before a key rotation was refused; after a password reset, access tokens of the other
sessions kept working until the standing cache expired.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimits
from api.routers.session import reset_token
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings
from store import users
from tests.api.conftest import PASSWORD, seed_accounts

VICTIM = "cust-a@test.example"
OLD_KEY = "the signing key before the rotation and long enough"
NEW_KEY = "the signing key after the rotation and long enough too"


@pytest.fixture
def hub(sqlite_url: str, tmp_path: Path):
    hub = build_hub(Settings(database_url=sqlite_url, notify_dir=tmp_path / "mail"))
    load_demo(hub.engine, days=1)
    seed_accounts(hub)
    yield hub
    hub.engine.dispose()


def _app(hub):
    # An hour's window, not a minute's: the sliding-window counter weighs the last window's hits
    # down as the next one begins, so a count asserted exactly must not straddle a boundary.
    limits = RateLimits(login_per_ip="100/minute", login_per_account="3/hour")
    return create_app(hub, rate_limits=limits, run_worker=False)


def _browser(app, address: str = "127.0.0.1") -> TestClient:
    client = TestClient(app, base_url="http://127.0.0.1", client=(address, 40000))
    client.get("/v1/session")
    client.headers["X-CSRF-Token"] = client.cookies["mq_csrf"]
    return client


def _sign_in(client: TestClient, email: str, password: str = PASSWORD):
    r = client.post("/v1/session/sign-in", json={"email": email, "password": password})
    if r.status_code == 200:
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return r


def _mails(mail_dir: Path) -> list[dict]:
    path = mail_dir / "email.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_up_answers_the_same_for_a_known_address(hub, tmp_path: Path) -> None:
    browser = _browser(_app(hub))
    known = browser.post("/v1/session/sign-up", json={"email": VICTIM, "password": "a long pw 1"})
    new = browser.post(
        "/v1/session/sign-up", json={"email": "fresh@test.example", "password": "a long pw 2"}
    )
    assert (known.status_code, known.json()) == (new.status_code, new.json())
    assert known.status_code == 202
    # No session either way: a session only for new addresses would tell them apart.
    assert "mq_access" not in browser.cookies
    assert browser.get("/v1/session").json()["user"] is None
    # The owners learn it from their mailbox; the new account signs in with its password.
    bodies = {m["to"]: m["body"] for m in _mails(tmp_path / "mail")}
    assert "already has a Marquee account" in bodies[VICTIM]
    assert "is ready" in bodies["fresh@test.example"]
    assert _sign_in(browser, "fresh@test.example", "a long pw 2").status_code == 200
    # The known account's password did not change.
    assert _sign_in(_browser(browser.app), VICTIM, "a long pw 1").status_code == 401


def test_sign_in_backs_off_per_address_without_locking_the_victim_out(hub) -> None:
    app = _app(hub)
    attacker = _browser(app, "203.0.113.9")
    victim = _browser(app, "198.51.100.7")
    answers = [_sign_in(attacker, VICTIM, f"guess-{n}") for n in range(6)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429, 429, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].json()["code"] == "rate_limited"
    # The right password from the guessing address is refused too: guessing stays throttled.
    assert _sign_in(attacker, VICTIM).status_code == 429
    # The victim, from their own address, signs in: a stranger cannot lock them out.
    assert _sign_in(victim, VICTIM).status_code == 200


def test_sign_out_ends_a_copied_access_token_at_once(hub) -> None:
    app = _app(hub)
    browser = _browser(app)
    assert _sign_in(browser, VICTIM).status_code == 200
    copied = browser.cookies["mq_access"]
    thief = TestClient(app)
    assert thief.get("/v1/me", headers=_bearer(copied)).status_code == 200  # standing cached
    assert browser.post("/v1/session/sign-out").status_code == 204
    r = thief.get("/v1/me", headers=_bearer(copied))
    assert r.status_code == 401, r.text


def test_sign_out_ends_the_access_tokens_session_without_the_refresh_cookie(hub) -> None:
    app = _app(hub)
    browser = _browser(app)
    assert _sign_in(browser, VICTIM).status_code == 200
    copied = browser.cookies["mq_access"]
    refresh = browser.cookies["mq_refresh"]
    browser.cookies.delete("mq_refresh", domain="127.0.0.1", path="/v1/session")
    assert browser.post("/v1/session/sign-out").status_code == 204
    assert TestClient(app).get("/v1/me", headers=_bearer(copied)).status_code == 401
    # The session it named is over: its refresh token is refused too.
    browser.cookies.set("mq_refresh", refresh, domain="127.0.0.1", path="/v1/session")
    assert browser.post("/v1/session/refresh").status_code == 401


def test_a_reset_link_from_before_a_key_rotation_still_works(sqlite_url: str) -> None:
    hub = build_hub(
        Settings(database_url=sqlite_url, jwt_secret=NEW_KEY, jwt_previous_secrets=OLD_KEY)
    )
    load_demo(hub.engine, days=1)
    seed_accounts(hub)
    browser = _browser(_app(hub))
    assert _sign_in(browser, VICTIM).status_code == 200
    user_id = browser.get("/v1/me").json()["id"]
    with hub.engine.connect() as conn:
        row = users.get_user(conn, user_id)
    assert row is not None
    token = reset_token(OLD_KEY, row.id, row.password_hash)
    r = browser.post(
        "/v1/session/password-reset/confirm", json={"token": token, "password": "rotated pw 1"}
    )
    assert r.status_code == 200, r.text
    assert _sign_in(browser, VICTIM, "rotated pw 1").status_code == 200
    # A key that was never ours is still refused.
    forged = reset_token("a key nobody configured and long enough", row.id, row.password_hash)
    r = browser.post(
        "/v1/session/password-reset/confirm", json={"token": forged, "password": "rotated pw 2"}
    )
    assert r.status_code == 400
    hub.engine.dispose()


def test_a_password_reset_ends_the_other_sessions_at_once(hub, tmp_path: Path) -> None:
    app = _app(hub)
    elsewhere = TestClient(app)
    r = elsewhere.post(
        "/v1/auth/token", data={"grant_type": "password", "username": VICTIM, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    other = r.json()["access_token"]
    assert elsewhere.get("/v1/me", headers=_bearer(other)).status_code == 200  # standing cached
    browser = _browser(app)
    assert browser.post("/v1/session/password-reset", json={"email": VICTIM}).status_code == 202
    body = _mails(tmp_path / "mail")[-1]["body"]
    match = re.search(r"reset-password\?token=(\S+)", body)
    assert match, body
    done = browser.post(
        "/v1/session/password-reset/confirm",
        json={"token": match.group(1), "password": "a brand new password"},
    )
    assert done.status_code == 200, done.text
    r = elsewhere.get("/v1/me", headers=_bearer(other))
    assert r.status_code == 401, r.text
