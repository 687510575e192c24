"""Login throttling cannot lock a victim out; sign-up does not tell who has an account;
forwarded headers are believed only from configured proxies.

Attacks replayed: a stranger fails to log in as the victim ten times a minute, and the victim
(from their own address) was refused for the rest of the minute; sign-up answered 409
`email_taken` for a registered address (account enumeration); a client rotating
X-Forwarded-For got a fresh per-address login budget on every request.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimits
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings
from tests.api.conftest import PASSWORD, seed_accounts

ROOT = Path(__file__).resolve().parents[2]
VICTIM = "cust-a@test.example"


def _login(client: TestClient, email: str, password: str) -> int:
    return client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    ).status_code


def _app(url: str, **settings):
    hub = build_hub(Settings(database_url=url, **settings))
    load_demo(hub.engine, days=1)
    seed_accounts(hub)
    # An hour's window, not a minute's: the sliding-window counter weighs the last window's hits
    # down as the next one begins, so a count asserted exactly must not straddle a boundary.
    limits = RateLimits(login_per_ip="100/minute", login_per_account="3/hour")
    return hub, create_app(hub, rate_limits=limits, run_worker=False)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_stranger_cannot_lock_the_victim_out(fresh_pg_url: str, redis_url: str):
    hub, app = _app(fresh_pg_url, redis_url=redis_url)
    attacker = TestClient(app, client=("203.0.113.9", 40000))
    victim = TestClient(app, client=("198.51.100.7", 40001))
    answers = [_login(attacker, VICTIM, f"guess-{n}") for n in range(10)]
    assert answers[:3] == [400, 400, 400] and set(answers[3:]) == {429}
    # The right password from the attacker's address is refused too: guessing stays throttled.
    assert _login(attacker, VICTIM, PASSWORD) == 429
    # The victim, from their own address, logs in.
    assert _login(victim, VICTIM, PASSWORD) == 200
    hub.engine.dispose()


@pytest.mark.postgres
def test_guessing_spread_over_many_addresses_meets_the_account_ceiling(fresh_pg_url: str):
    hub, app = _app(fresh_pg_url, rate_limit_login_account_ceiling="6/hour")
    answers = []
    for n in range(8):
        bot = TestClient(app, client=(f"203.0.113.{n + 10}", 40000))
        answers.append(_login(bot, VICTIM, f"guess-{n}"))
    assert answers[:6] == [400] * 6 and answers[6:] == [429, 429]
    hub.engine.dispose()


def test_signup_answers_the_same_for_a_known_address(sqlite_url: str, tmp_path: Path):
    hub, app = _app(sqlite_url, notify_dir=tmp_path / "mail")
    client = TestClient(app)
    known = client.post("/v1/auth/signup", json={"email": VICTIM, "password": "a long password"})
    new = client.post(
        "/v1/auth/signup", json={"email": "someone.new@test.example", "password": "a long pw 1"}
    )
    assert known.status_code == new.status_code == 202
    assert known.json() == new.json()
    assert set(known.headers) - {"x-request-id"} == set(new.headers) - {"x-request-id"}
    # The known address's owner learns it in their mailbox, not the caller from the answer.
    mails = "\n".join(p.read_text() for p in (tmp_path / "mail").rglob("*") if p.is_file())
    assert "already has a Marquee account" in mails and "is ready" in mails
    # And the caller's password did not replace the owner's.
    assert _login(client, VICTIM, "a long password") == 400
    assert _login(client, VICTIM, PASSWORD) == 200
    hub.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, **env: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    full = {
        **os.environ,
        "DATABASE_URL": url,
        "MARQUEE_ENV": "development",
        "RATE_LIMIT_LOGIN_PER_IP": "3/hour",
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "marquee.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("marquee serve did not start")


def _rotating_logins(base: str) -> list[int]:
    return [
        httpx.post(
            f"{base}/v1/auth/token",
            data={"grant_type": "password", "username": "x@test.example", "password": "x" * 9},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(1, 7)
    ]


@pytest.mark.slow
def test_forwarded_for_is_believed_only_from_configured_proxies(sqlite_url: str):
    proc, base = _serve(sqlite_url)
    try:
        # 127.0.0.1 is not a configured proxy: every request is the same client, throttled.
        assert 429 in _rotating_logins(base)
    finally:
        proc.terminate()
        proc.wait(10)
    proc, base = _serve(sqlite_url, TRUSTED_PROXIES="127.0.0.1")
    try:
        # Behind a configured proxy, each forwarded address is its own client.
        assert 429 not in _rotating_logins(base)
    finally:
        proc.terminate()
        proc.wait(10)


def test_an_unknown_account_costs_the_same_hash_as_a_wrong_password():
    # The stand-in hash for unknown accounts is written out in the source: it must use the
    # hasher's current parameters, or a login for an unknown e-mail answers faster.
    from api.security import passwords

    assert not passwords.needs_rehash(passwords._DUMMY)
    assert passwords.verify_password(None, "not-a-real-password") is False
    assert passwords.verify_password(passwords.hash_password("right password"), "right password")
