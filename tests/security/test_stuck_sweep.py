"""Nothing stuck forever. Attack replayed: the API process is killed (kill -9) while checkouts
wait on a slow gateway, leaving bookings pending and payments initiated that no request will
ever finish. After a restart the stuck sweep asks the gateway about each attempt and settles it
(confirm, fail, or refund), and fails pending bookings nobody can pay any more: no pending
booking older than the sweep window survives."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import responses
from sqlalchemy import select

from booking.clock import ManualClock
from booking.services import BookingService
from canonical.orders import BookingStatus, PaymentStatus
from canonical.time import utcnow
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings
from payments.offline import CARD_SLOW, CARD_SUCCESS, CARD_TIMEOUT, OfflineGateway
from payments.registry import GatewayRegistry
from payments.stripe_gateway import StripeGateway
from store.tables import bookings, payments
from store.uow import SqlUnitOfWorkFactory
from tests.api.conftest import PASSWORD, seed_accounts
from tests.booking.sql_world import sql_service

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"JWT_SECRET": "s" * 40, "ENCRYPTION_KEY": "e" * 40, "MARQUEE_ENV": "development"}
WINDOW = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(SECRETS, DATABASE_URL=url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "marquee.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise AssertionError("marquee serve exited at start")
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("marquee serve did not come up")


def test_kill_dash_nine_mid_checkout_then_the_sweep_leaves_nothing_pending(fresh_pg_url):
    settings = Settings(
        database_url=fresh_pg_url,
        jwt_secret=SECRETS["JWT_SECRET"],
        encryption_key=SECRETS["ENCRYPTION_KEY"],
        marquee_env="development",
    )
    hub = build_hub(settings)
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(fresh_pg_url, port)
    try:
        in_flight = []
        for email in ("cust-a@test.example", "cust-b@test.example"):
            token = httpx.post(
                f"{base}/v1/auth/token",
                data={"grant_type": "password", "username": email, "password": PASSWORD},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            day = (utcnow() + timedelta(days=1)).date().isoformat()
            show = httpx.get(
                f"{base}/v1/shows", params={"theatre_id": "thr_chennai_marina", "date": day}
            ).json()["items"][0]["id"]
            for _ in range(3):
                hold = httpx.post(
                    f"{base}/v1/holds", json={"show_id": show, "count": 2}, headers=headers
                )
                assert hold.status_code == 201, hold.text
                in_flight.append((hold.json()["id"], headers))

        def checkout(hold_id: str, headers: dict) -> None:
            body = {"hold_id": hold_id, "payment": {"card_number": CARD_SLOW}}
            # The server dies under it: that is the point.
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{base}/v1/checkout", json=body, headers=headers, timeout=30)

        threads = [threading.Thread(target=checkout, args=c) for c in in_flight]
        for t in threads:
            t.start()
        # Wait until every checkout has its attempt recorded and is waiting on the gateway.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with hub.engine.connect() as conn:
                started = conn.execute(select(payments.c.status)).scalars().all()
            if len(started) == len(in_flight):
                break
            time.sleep(0.1)
        assert sorted(started) == ["initiated"] * len(in_flight)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        for t in threads:
            t.join(timeout=35)
        with hub.engine.connect() as conn:
            assert {s for (s,) in conn.execute(select(bookings.c.status))} == {"pending"}

        # Restart: the new process serves; the sweep (here run at the end of its window)
        # settles what the dead one left.
        server = _serve(fresh_pg_url, port)
        assert httpx.get(f"{base}/ready").status_code == 200
        clock = ManualClock(utcnow() + timedelta(seconds=WINDOW + 60))
        sweeper = BookingService(
            SqlUnitOfWorkFactory(hub.engine),
            GatewayRegistry().add(OfflineGateway()),
            clock=clock,
            stuck_after_seconds=WINDOW,
        )
        assert sweeper.resolve_stuck() == 2 * len(in_flight)
        with hub.engine.connect() as conn:
            stale = conn.execute(
                select(bookings.c.id).where(
                    bookings.c.status == "pending",
                    bookings.c.created_at < clock.now() - timedelta(seconds=WINDOW),
                )
            ).all()
            pay_states = set(conn.execute(select(payments.c.status)).scalars())
        assert stale == []
        # The dead process's gateway never charged (its record died with it): failed, not lost.
        assert pay_states == {"failed"}
        assert sweeper.resolve_stuck() == 0  # settled once
    finally:
        server.kill()
        server.wait(timeout=10)
        hub.engine.dispose()


def test_sweep_settles_a_gateway_timeout_by_asking_the_gateway(fresh_pg_url):
    """A timeout left the attempt in progress; the gateway did take the money: the sweep
    confirms the booking (and a second sweep changes nothing)."""
    service, _, gateway, clock = sql_service(fresh_pg_url)
    hold = service.place_hold("shw_sample", ["C5"], customer_id="cus_1")
    with pytest.raises(Exception) as timed_out:
        service.checkout(hold.id, "cus_1", details={"card_number": CARD_TIMEOUT})
    payment_id = timed_out.value.extra["payment_id"]
    # What the gateway actually did with that key, learnt later: it succeeded.
    with service.uow() as uow:
        key = uow.payments.idempotency_key(payment_id)
    from booking.ports import PaymentRequest
    from canonical.money import Money
    from canonical.orders import PaymentMethod

    gateway.create_payment(
        PaymentRequest(
            payment_id=payment_id,
            booking_id="x",
            amount=Money(amount=20000, currency="INR"),
            method=PaymentMethod.CARD,
            idempotency_key=key,
            details={"card_number": CARD_SUCCESS},
        )
    )
    service.stuck_after_seconds = 60
    assert service.resolve_stuck() == 0  # not stuck yet: inside the window
    _past_window(clock, minutes=5)
    assert service.resolve_stuck() == 1
    payment = service.get_payment(payment_id)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert service.get_booking(payment.booking_id).status == BookingStatus.CONFIRMED
    assert service.resolve_stuck() == 0


STRIPE = "https://api.stripe.com"


def _past_window(clock: ManualClock, minutes: int) -> None:
    """Move the test clock this far past the wall clock (rows record their last change by the
    wall clock, and the world's clock started when the test module was imported)."""
    clock.advance(seconds=(utcnow() - clock.now()).total_seconds() + minutes * 60)


def test_sweep_finds_a_stripe_intent_by_its_metadata(fresh_pg_url):
    """Stripe timed out before answering: no intent id on record. The sweep searches intents
    by the payment id in their metadata and settles from what it finds."""
    service, _, _, clock = sql_service(fresh_pg_url)
    stripe = StripeGateway("sk_test_x", "whsec_x", max_network_retries=0)
    service.gateways = GatewayRegistry().add(stripe).add(OfflineGateway())
    hold = service.place_hold("shw_sample", ["C5"], customer_id="cus_1")
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, f"{STRIPE}/v1/payment_intents", status=500, json={})
        with pytest.raises(Exception) as timed_out:
            service.checkout(
                hold.id, "cus_1", gateway="stripe", details={"payment_method": "pm_card_visa"}
            )
    payment_id = timed_out.value.extra["payment_id"]
    _past_window(clock, minutes=20)
    service.stuck_after_seconds = 600
    with responses.RequestsMock() as rsps:
        search = rsps.add(
            responses.GET,
            f"{STRIPE}/v1/payment_intents/search",
            json={
                "object": "search_result",
                "data": [
                    {
                        "id": "pi_found",
                        "object": "payment_intent",
                        "status": "succeeded",
                        "amount": 20000,
                        "currency": "inr",
                        "metadata": {"payment_id": payment_id},
                    }
                ],
                "has_more": False,
            },
        )
        assert service.resolve_stuck() == 1
        assert payment_id in search.calls[0].request.url
    payment = service.get_payment(payment_id)
    assert (payment.status, payment.gateway_ref) == (PaymentStatus.SUCCEEDED, "pi_found")
    assert service.get_booking(payment.booking_id).status == BookingStatus.CONFIRMED
