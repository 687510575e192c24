"""Sign-up, login, refresh rotation, logout, PII at rest, scopes."""

from __future__ import annotations

from sqlalchemy import select

from store.tables import users
from store.tables_auth import refresh_tokens
from tests.api.conftest import PASSWORD


def _login(api, email="cust-a@test.example"):
    r = api.client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_signup_login_and_profile_with_pii_encrypted_at_rest(api):
    r = api.client.post(
        "/v1/auth/signup",
        json={
            "email": "New.Person@Example.com",
            "password": "long enough pw",
            "name": "New",
            "phone": "+447700900123",
        },
    )
    assert r.status_code == 202, r.text
    again = api.client.post(
        "/v1/auth/signup", json={"email": "new.person@example.com", "password": "long enough pw"}
    )
    assert again.status_code == 202 and again.json() == r.json()  # reveals nothing

    with api.hub.engine.connect() as conn:
        digest = api.client.app.state.ctx.cipher.email_hash("new.person@example.com")
        [row] = conn.execute(select(users).where(users.c.email_hash == digest)).all()
    assert "example.com" not in row.email_enc and "7700900123" not in row.phone_enc
    assert row.password_hash.startswith("$argon2id$")

    tokens = api.client.post(
        "/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "NEW.person@example.com",
            "password": "long enough pw",
        },
    ).json()
    assert tokens["scope"] == "bookings profile" and tokens["expires_in"] == 15 * 60
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["phone"] == "+447700900123"


def test_wrong_password_is_an_oauth_problem(api):
    r = api.client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "cust-a@test.example", "password": "nope nope"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == r.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_a_replayed_token_revokes_the_family(api):
    first = _login(api)
    second = api.client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    new = second.json()["refresh_token"]
    assert new != first["refresh_token"]
    # The old token was rotated: presenting it again is refused and kills the new one too.
    replay = api.client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 400 and replay.json()["code"] == "invalid_grant"
    assert api.client.post("/v1/auth/refresh", json={"refresh_token": new}).status_code == 400
    with api.hub.engine.connect() as conn:
        live = conn.execute(select(refresh_tokens).where(refresh_tokens.c.revoked_at.is_(None)))
        assert live.all() == []


def test_logout_revokes_the_refresh_token(api):
    tokens = _login(api)
    assert (
        api.client.post(
            "/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 204
    )
    r = api.client.post(
        "/v1/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert r.status_code == 400


def test_expired_or_forged_access_token_is_401(api):
    forged = _login(api)["access_token"][:-4] + "AAAA"
    r = api.client.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert api.client.get("/v1/me").status_code == 401


def test_password_change_needs_the_current_password_and_ends_other_sessions(api):
    tokens = _login(api)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    bad = api.client.patch(
        "/v1/me", json={"password": "another pass", "current_password": "x"}, headers=auth
    )
    assert bad.status_code == 403
    ok = api.client.patch(
        "/v1/me", json={"password": "another pass", "current_password": PASSWORD}, headers=auth
    )
    assert ok.status_code == 200
    assert (
        api.client.post(
            "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 400
    )
    r = api.client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "cust-a@test.example", "password": PASSWORD},
    )
    assert r.status_code == 400
