"""API test fixtures: an app on a real database with the demo catalog, accounts for every role,
and a second partner with its own theatre (tenant isolation needs someone else's data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimits
from api.security.passwords import hash_password
from api.security.scopes import Role
from canonical import Theatre
from canonical.identity import new_id
from marquee.bootstrap import Hub, build_hub
from marquee.demo_data import DEMO_PARTNER, load_demo
from marquee.settings import Settings
from store import catalog, partners, users

PASSWORD = "correct horse battery"
OTHER_PARTNER = "prt_other"
OTHER_THEATRE = "thr_other_plaza"


@dataclass
class Api:
    client: TestClient
    hub: Hub

    def token(self, email: str, password: str = PASSWORD) -> str:
        r = self.client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": password},
        )
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def auth(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email)}"}


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def seed_accounts(hub: Hub) -> None:
    ctx = create_app(hub).state.ctx
    with hub.engine.begin() as conn:
        if partners.get_partner(conn, OTHER_PARTNER) is None:
            partners.create_partner(conn, OTHER_PARTNER, "Other Cinemas")
            catalog.save_theatre(
                conn,
                Theatre(
                    id=OTHER_THEATRE,
                    name="Other Plaza",
                    city="Chennai",
                    country="IN",
                    timezone="Asia/Kolkata",
                    currency="INR",
                    partner_id=OTHER_PARTNER,
                ),
            )
        for email, role, partner in [
            ("admin@test.example", Role.ADMIN, None),
            ("staff-a@test.example", Role.PARTNER, DEMO_PARTNER),
            ("staff-b@test.example", Role.PARTNER, OTHER_PARTNER),
            ("cust-a@test.example", Role.CUSTOMER, None),
            ("cust-b@test.example", Role.CUSTOMER, None),
        ]:
            # Stored exactly as create_account stores it, with the argon2 hash computed once
            # per session (hashing is deliberately slow; five per test add up).
            users.create_user(
                conn,
                user_id=new_id("usr"),
                email_hash=ctx.cipher.email_hash(email),
                email_enc=ctx.cipher.encrypt(email),
                phone_enc=ctx.cipher.encrypt("+919800000001"),
                name=email.split("@")[0],
                language="en",
                password_hash=_password_hash(),
                role=role.value,
                partner_id=partner,
            )


def make_api(url: str, rate_limits: RateLimits | None = None, **settings) -> Iterator[Api]:
    hub = build_hub(Settings(database_url=url, **settings))
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    with TestClient(create_app(hub, rate_limits=rate_limits, run_worker=False)) as client:
        yield Api(client, hub)
    hub.engine.dispose()


@pytest.fixture
def api(sqlite_url: str) -> Iterator[Api]:
    yield from make_api(sqlite_url)


@pytest.fixture
def pg_api(fresh_pg_url: str) -> Iterator[Api]:
    yield from make_api(fresh_pg_url)
