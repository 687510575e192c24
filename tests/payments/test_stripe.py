"""The Stripe gateway with the real SDK; Stripe's HTTP API is played by `responses`."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import responses
from responses import matchers

from api.problems import http_status
from booking import errors
from booking.clock import ManualClock
from booking.samples import sample_layout, sample_show, sample_theatre
from booking.services import BookingService
from canonical.catalog import CancellationPolicy, TheatreRules
from canonical.orders import BookingStatus, PaymentStatus
from payments.registry import GatewayRegistry, get_gateway
from payments.stripe_gateway import StripeGateway
from tests.booking.memory import InMemoryStore, InMemoryUnitOfWorkFactory

API = "https://api.stripe.com"
SECRET = "whsec_test_secret"
NOW = datetime.now(UTC).replace(microsecond=0)
S = PaymentStatus


def sign(payload: bytes, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    ts = at if at is not None else int(time.time())
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={ts},v1={mac}"}


def intent(pi: str, status: str, amount: int, **extra) -> dict:
    return {
        "id": pi,
        "object": "payment_intent",
        "status": status,
        "amount": amount,
        "currency": "inr",
        "client_secret": f"{pi}_secret_abc",
        "metadata": {},
        "next_action": None,
        "last_payment_error": None,
        **extra,
    }


def event(event_id: str, kind: str, obj: dict) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "api_version": "2024-06-20",
            "data": {"object": obj},
        }
    ).encode()


@pytest.fixture
def setup():
    store = InMemoryStore()
    rules = TheatreRules(cancellation=CancellationPolicy(cutoff_minutes=60, fee_percent=20))
    store.add_show(
        sample_theatre(rules=rules), sample_layout(), sample_show(start=NOW + timedelta(days=2))
    )
    gateway = StripeGateway(api_key="sk_test_123", webhook_secret=SECRET, max_network_retries=0)
    service = BookingService(
        InMemoryUnitOfWorkFactory(store), GatewayRegistry().add(gateway), clock=ManualClock(NOW)
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield service, store, rsps


def history(service, payment_id):
    return [(t.from_status, t.to_status) for t in service.payment_history(payment_id)]


def test_registry_builds_stripe_by_name():
    gw = get_gateway("stripe", api_key="sk_test_1", webhook_secret=SECRET)
    assert gw.name == "stripe" and {m.value for m in gw.capabilities} == {"card", "wallet", "upi"}
    assert get_gateway("offline").name == "offline"
    with pytest.raises(errors.UnknownGateway):
        get_gateway("paypal")


def test_server_side_confirm_success_with_idempotency_key(setup):
    service, store, rsps = setup
    hold = service.place_hold("shw_sample", ["C5", "C6"])
    call = rsps.post(f"{API}/v1/payment_intents", json=intent("pi_1", "succeeded", 50000))
    result = service.checkout(
        hold.id, "cus_1", gateway="stripe", details={"payment_method": "pm_card_visa"}
    )
    assert result.payment.status == S.SUCCEEDED and result.payment.gateway_ref == "pi_1"
    assert result.booking.status == BookingStatus.CONFIRMED
    sent = call.calls[0].request
    # Derived from the booking and the attempt's number: one key per attempt, whoever sends it.
    assert sent.headers["Idempotency-Key"] == f"{result.booking.id}:attempt-1"
    body = sent.body if isinstance(sent.body, str) else sent.body.decode()
    assert "amount=50000" in body and "currency=inr" in body and "confirm=true" in body
    assert f"metadata[payment_id]={result.payment.id}" in body


def test_decline_then_new_attempt_uses_a_new_key(setup):
    service, store, rsps = setup
    hold = service.place_hold("shw_sample", ["C5"])
    declined = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": "Your card was declined.",
            "payment_intent": intent("pi_d", "requires_payment_method", 25000),
        }
    }
    rsps.post(f"{API}/v1/payment_intents", json=declined, status=402)
    cancel = rsps.post(
        f"{API}/v1/payment_intents/pi_d/cancel", json=intent("pi_d", "canceled", 25000)
    )
    with pytest.raises(errors.PaymentDeclined) as exc:
        service.checkout(
            hold.id, "cus_1", gateway="stripe", details={"payment_method": "pm_card_chargeDeclined"}
        )
    first = service.get_payment(exc.value.extra["payment_id"])
    assert first.status == S.FAILED and first.gateway_ref == "pi_d"
    assert history(service, first.id) == [(S.INITIATED, S.FAILED)]
    assert cancel.call_count == 1
    rsps.replace(
        responses.POST, f"{API}/v1/payment_intents", json=intent("pi_2", "succeeded", 25000)
    )
    second = service.checkout(
        hold.id, "cus_1", gateway="stripe", details={"payment_method": "pm_card_visa"}
    )
    keys = [
        c.request.headers["Idempotency-Key"]
        for c in rsps.calls
        if c.request.url.endswith("/v1/payment_intents")
    ]
    booking_id = second.booking.id
    assert keys == [f"{booking_id}:attempt-1", f"{booking_id}:attempt-2"]
    assert second.booking.status == BookingStatus.CONFIRMED


def _client_flow(service, rsps, seat="C5", pi="pi_w"):
    hold = service.place_hold("shw_sample", [seat])
    rsps.post(f"{API}/v1/payment_intents", json=intent(pi, "requires_payment_method", 25000))
    started = service.checkout(hold.id, "cus_1", gateway="stripe")
    assert started.client_secret == f"{pi}_secret_abc" and started.next_action == "client_confirm"
    assert started.payment.status == S.IN_PROGRESS
    return started


def test_webhook_fulfils_and_replay_is_ignored(setup):
    service, store, rsps = setup
    started = _client_flow(service, rsps)
    meta = {"payment_id": started.payment.id}
    body = event(
        "evt_1", "payment_intent.succeeded", intent("pi_w", "succeeded", 25000, metadata=meta)
    )
    assert service.handle_gateway_event("stripe", body, sign(body)) == "applied"
    assert service.handle_gateway_event("stripe", body, sign(body)) == "duplicate"
    assert service.get_booking(started.booking.id).status == BookingStatus.CONFIRMED
    assert history(service, started.payment.id) == [
        (S.INITIATED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.SUCCEEDED),
    ]


def test_bad_signature_and_stale_timestamp_are_refused(setup):
    service, store, rsps = setup
    started = _client_flow(service, rsps)
    body = event(
        "evt_2",
        "payment_intent.succeeded",
        intent("pi_w", "succeeded", 25000, metadata={"payment_id": started.payment.id}),
    )
    with pytest.raises(errors.InvalidSignature):
        service.handle_gateway_event("stripe", body, sign(body, secret="whsec_wrong"))
    with pytest.raises(errors.InvalidSignature):
        service.handle_gateway_event("stripe", body + b" ", sign(body))  # body tampered
    with pytest.raises(errors.InvalidSignature):
        service.handle_gateway_event("stripe", body, sign(body, at=int(time.time()) - 3600))
    with pytest.raises(errors.InvalidSignature):
        service.handle_gateway_event("stripe", body, {})
    assert service.get_payment(started.payment.id).status == S.IN_PROGRESS


def test_events_out_of_order_never_skip_or_repeat(setup):
    service, store, rsps = setup
    started = _client_flow(service, rsps)
    meta = {"payment_id": started.payment.id}
    refunded = event(
        "evt_r",
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_w",
            "amount": 25000,
            "amount_refunded": 5000,
            "metadata": {},
        },
    )
    succeeded = event(
        "evt_s", "payment_intent.succeeded", intent("pi_w", "succeeded", 25000, metadata=meta)
    )
    processing = event(
        "evt_p", "payment_intent.processing", intent("pi_w", "processing", 25000, metadata=meta)
    )
    failed = event(
        "evt_f",
        "payment_intent.payment_failed",
        intent(
            "pi_w",
            "requires_payment_method",
            25000,
            metadata=meta,
            last_payment_error={"message": "declined"},
        ),
    )
    outcomes = [
        service.handle_gateway_event("stripe", b, sign(b))
        for b in (refunded, succeeded, processing, failed)
    ]
    assert outcomes == ["applied", "stale", "stale", "stale"]
    assert history(service, started.payment.id) == [
        (S.INITIATED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.SUCCEEDED),
        (S.SUCCEEDED, S.PARTIALLY_REFUNDED),
    ]
    payment = service.get_payment(started.payment.id)
    assert payment.status == S.PARTIALLY_REFUNDED and payment.refunded.amount == 5000
    assert service.get_booking(started.booking.id).status == BookingStatus.CONFIRMED


def test_cancel_refunds_through_stripe_once(setup):
    service, store, rsps = setup
    hold = service.place_hold("shw_sample", ["C5", "C6"])
    rsps.post(f"{API}/v1/payment_intents", json=intent("pi_c", "succeeded", 50000))
    booking = service.checkout(
        hold.id, "cus_1", gateway="stripe", details={"payment_method": "pm_card_visa"}
    ).booking
    refund_call = rsps.post(
        f"{API}/v1/refunds",
        json={
            "id": "re_1",
            "object": "refund",
            "amount": 40000,
            "status": "succeeded",
            "payment_intent": "pi_c",
        },
        match=[matchers.urlencoded_params_matcher({"payment_intent": "pi_c", "amount": "40000"})],
    )
    result = service.cancel_booking(booking.id)
    assert result.refund.amount == 40000 and result.fee.amount == 10000 and result.refund_issued
    assert refund_call.calls[0].request.headers["Idempotency-Key"] == f"refund:{booking.id}:cancel"
    payment = service.get_payment(next(iter(store.payments)))
    assert payment.status == S.PARTIALLY_REFUNDED and payment.refunded.amount == 40000
    # Stripe's own charge.refunded for the same refund changes nothing.
    body = event(
        "evt_cr",
        "charge.refunded",
        {
            "id": "ch_c",
            "object": "charge",
            "payment_intent": "pi_c",
            "amount": 50000,
            "amount_refunded": 40000,
            "metadata": {},
        },
    )
    assert service.handle_gateway_event("stripe", body, sign(body)) == "stale"
    assert [t.to_status for t in service.payment_history(payment.id)].count(
        S.PARTIALLY_REFUNDED
    ) == 1


def test_stripe_down_is_gateway_unavailable(setup):
    service, store, rsps = setup
    hold = service.place_hold("shw_sample", ["C5"])
    rsps.post(
        f"{API}/v1/payment_intents",
        json={"error": {"type": "api_error", "message": "boom"}},
        status=500,
    )
    with pytest.raises(errors.GatewayUnavailable) as exc:
        service.checkout(
            hold.id, "cus_1", gateway="stripe", details={"payment_method": "pm_card_visa"}
        )
    assert http_status(exc.value) == 503
