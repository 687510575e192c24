"""Access ends when an admin says so, on the very next request (PostgreSQL, Redis).

Attacks replayed: a fired admin keeps using the access token they held; a disabled customer or
a revoked partner system keeps calling until the token expires; a logged-out (stolen) token
stays good; a token is minted for an account that does not exist.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security.tokens import issue_access_token
from marquee.bootstrap import build_hub
from marquee.settings import DEV_JWT_SECRET, Settings
from store import users
from tests.api.conftest import PASSWORD, Api, make_api

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def pg(fresh_pg_url: str, redis_url: str) -> Iterator[Api]:
    yield from make_api(fresh_pg_url, redis_url=redis_url)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(api: Api, email: str) -> dict[str, str]:
    r = api.client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _user_id(api: Api, email: str) -> str:
    me = api.client.get("/v1/me", headers=api.auth(email))
    return me.json()["id"]


def _create_admin(api: Api, admin: dict[str, str], email: str) -> None:
    r = api.client.post(
        "/v1/admin/users",
        json={"email": email, "password": PASSWORD, "role": "admin"},
        headers=admin,
    )
    assert r.status_code == 201, r.text


def test_a_demoted_admin_can_do_nothing_admin_only(pg: Api):
    boss = pg.auth("admin@test.example")
    _create_admin(pg, boss, "second@test.example")
    fired = _login(pg, "second@test.example")["access_token"]
    assert pg.client.get("/v1/admin/users", headers=_bearer(fired)).status_code == 200
    fired_id = _user_id(pg, "second@test.example")

    r = pg.client.patch(f"/v1/admin/users/{fired_id}", json={"role": "customer"}, headers=boss)
    assert r.status_code == 200, r.text

    for method, path, body in [
        ("GET", "/v1/admin/users", None),
        ("POST", "/v1/admin/partners", {"id": "prt_evil", "name": "Evil"}),
        ("PATCH", f"/v1/admin/users/{fired_id}", {"role": "admin"}),
    ]:
        r = pg.client.request(method, path, json=body, headers=_bearer(fired))
        assert r.status_code == 401, (path, r.status_code, r.text)
    with pg.hub.engine.connect() as conn:
        row = users.get_user(conn, fired_id)
    assert row is not None and row.role == "customer"  # the attempt to re-promote did nothing


def test_disabling_a_user_ends_their_access_token_now(pg: Api):
    token = _login(pg, "cust-a@test.example")["access_token"]
    assert pg.client.get("/v1/me", headers=_bearer(token)).status_code == 200
    victim = _user_id(pg, "cust-a@test.example")
    r = pg.client.patch(
        f"/v1/admin/users/{victim}", json={"active": False}, headers=pg.auth("admin@test.example")
    )
    assert r.status_code == 200
    r = pg.client.get("/v1/me", headers=_bearer(token))
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    # Enabling the account again does not revive the old session.
    pg.client.patch(
        f"/v1/admin/users/{victim}", json={"active": True}, headers=pg.auth("admin@test.example")
    )
    assert pg.client.get("/v1/me", headers=_bearer(token)).status_code == 401


def test_logout_ends_the_access_token_of_that_session(pg: Api):
    tokens = _login(pg, "cust-b@test.example")
    other = _login(pg, "cust-b@test.example")  # a second device stays signed in
    assert pg.client.get("/v1/me", headers=_bearer(tokens["access_token"])).status_code == 200
    r = pg.client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 204
    assert pg.client.get("/v1/me", headers=_bearer(tokens["access_token"])).status_code == 401
    assert pg.client.get("/v1/me", headers=_bearer(other["access_token"])).status_code == 200


def test_a_revoked_partner_client_is_refused_on_the_next_request(pg: Api):
    staff = pg.auth("staff-a@test.example")
    created = pg.client.post("/v1/partner/clients", json={"name": "box office"}, headers=staff)
    assert created.status_code == 201, created.text
    client_id, secret = created.json()["client_id"], created.json()["client_secret"]
    token = pg.client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    ).json()["access_token"]
    assert pg.client.get("/v1/partner/theatres", headers=_bearer(token)).status_code == 200
    r = pg.client.delete(f"/v1/partner/clients/{client_id}", headers=staff)
    assert r.status_code == 204
    assert pg.client.get("/v1/partner/theatres", headers=_bearer(token)).status_code == 401


def test_a_token_must_name_an_existing_user(pg: Api):
    # Even with the signing key, a token for an account that does not exist acts for no one.
    ghost, _ = issue_access_token(
        DEV_JWT_SECRET,
        subject="usr_ghost",
        role="admin",
        scopes=["admin:read", "admin:write"],
        partner_id=None,
        kind="user",
        minutes=5,
    )
    assert pg.client.get("/v1/admin/users", headers=_bearer(ghost)).status_code == 401


@contextmanager
def _another_process(url: str, **settings: str) -> Iterator[TestClient]:
    """A second API on the same database (and Redis): what another host behind the balancer is."""
    hub = build_hub(Settings(database_url=url, **settings))
    with TestClient(create_app(hub, run_worker=False)) as client:
        yield client
    hub.engine.dispose()


def test_another_api_process_sees_the_change_within_a_second(pg: Api, redis_url: str):
    url = pg.hub.settings.database.url
    with _another_process(url, redis_url=redis_url) as other:
        token = _login(pg, "cust-a@test.example")["access_token"]
        assert other.get("/v1/me", headers=_bearer(token)).status_code == 200
        victim = _user_id(pg, "cust-a@test.example")
        pg.client.patch(
            f"/v1/admin/users/{victim}",
            json={"active": False},
            headers=pg.auth("admin@test.example"),
        )
        changed = time.monotonic()
        while other.get("/v1/me", headers=_bearer(token)).status_code == 200:
            assert time.monotonic() - changed < 1.0, "still accepted a second after the change"
            time.sleep(0.05)


def test_tokens_signed_with_a_previous_key_verify_during_a_rotation(pg: Api):
    url = pg.hub.settings.database.url
    token = _login(pg, "cust-a@test.example")["access_token"]  # signed with the current key
    new_key = "new-signing-key-" + "n" * 32
    old_key = pg.hub.settings.security.jwt_secret.get_secret_value()
    # The PII key stays what it was: only the signing key rotates.
    keep = {"encryption_key": old_key}
    with _another_process(url, jwt_secret=new_key, jwt_previous_secrets=old_key, **keep) as mid:
        assert mid.get("/v1/me", headers=_bearer(token)).status_code == 200
    with _another_process(url, jwt_secret=new_key, **keep) as after:
        assert after.get("/v1/me", headers=_bearer(token)).status_code == 401


def test_a_password_change_ends_the_other_sessions_now(pg: Api):
    thief = _login(pg, "cust-b@test.example")["access_token"]
    owner = _login(pg, "cust-b@test.example")["access_token"]
    assert pg.client.get("/v1/me", headers=_bearer(thief)).status_code == 200
    r = pg.client.patch(
        "/v1/me",
        json={"password": "a brand new passphrase", "current_password": PASSWORD},
        headers=_bearer(owner),
    )
    assert r.status_code == 200
    assert pg.client.get("/v1/me", headers=_bearer(thief)).status_code == 401


def test_a_disabled_customer_holds_nothing(pg: Api):
    """The hold endpoint confirms the token's standing after its early refusal (which says
    only what the public seat map says) and before any seat is held."""
    from tests.api.test_journeys import _tomorrow_show

    token = _login(pg, "cust-a@test.example")["access_token"]
    show = _tomorrow_show(pg.client)["id"]
    victim = _user_id(pg, "cust-a@test.example")
    r = pg.client.patch(
        f"/v1/admin/users/{victim}", json={"active": False}, headers=pg.auth("admin@test.example")
    )
    assert r.status_code == 200
    for body in ({"show_id": show, "seat_ids": ["F7", "F8"]}, {"show_id": show, "count": 2}):
        r = pg.client.post("/v1/holds", json=body, headers=_bearer(token))
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated", r.text
    seat_map = pg.client.get(f"/v1/shows/{show}/seat-map").json()
    assert seat_map["available"] == 192  # nothing was held
