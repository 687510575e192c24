"""The fake Stripe API of the browser tests, checked against the real `stripe` SDK: Marquee's
Stripe gateway creates, looks up and refunds intents through it, a browser-style confirmation
(form post with the client secret, as Stripe.js does) pays or declines, and the events it sends
pass the gateway's own signature check."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from booking.errors import InvalidSignature
from booking.ports import GatewayEventKind, GatewayStatus, PaymentRequest
from canonical.money import Money
from canonical.orders import PaymentMethod
from payments.stripe_gateway import StripeGateway
from simulators.stripe_api import DECLINE_MESSAGE, FakeStripe, decode_form

SECRET = "whsec_fake_stripe_secret"


@pytest.fixture
def fake(receiver) -> Iterator[FakeStripe]:
    stripe_api = FakeStripe(receiver.url, SECRET, webhook_delay=0.01).start()
    yield stripe_api
    stripe_api.stop()


def _gateway(fake: FakeStripe, secret: str = SECRET) -> StripeGateway:
    return StripeGateway(
        api_key="sk_test_fake", webhook_secret=secret, api_base=fake.base, max_network_retries=0
    )


def _browser_confirm(fake: FakeStripe, intent: str, secret: str, card: str) -> tuple[int, dict]:
    body = urllib.parse.urlencode(
        {
            "client_secret": secret,
            "key": "pk_test_fake",
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": card,
            "return_url": "http://127.0.0.1/bookings/bkg_1?new=1",
        }
    ).encode()
    request = urllib.request.Request(
        f"{fake.base}/v1/payment_intents/{intent}/confirm", data=body, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.headers["Access-Control-Allow-Origin"] == "*"
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _request(key: str = "attempt-1") -> PaymentRequest:
    return PaymentRequest(
        payment_id="pay_1",
        booking_id="bkg_1",
        amount=Money(amount=40000, currency="INR"),
        method=PaymentMethod.CARD,
        idempotency_key=key,
    )


def test_form_encoding_is_read_as_stripe_nests_it():
    assert decode_form(
        b"amount=100&metadata[payment_id]=pay_1&payment_method_types[0]=card"
        b"&payment_method_data[card][number]=4242"
    ) == {
        "amount": "100",
        "metadata": {"payment_id": "pay_1"},
        "payment_method_types": ["card"],
        "payment_method_data": {"card": {"number": "4242"}},
    }


def test_browser_confirmation_declines_then_pays_and_the_signed_event_verifies(fake, receiver):
    gateway = _gateway(fake)
    created = gateway.create_payment(_request())
    assert created.status == GatewayStatus.REQUIRES_ACTION
    assert created.action == "client_confirm" and created.client_secret
    # The same idempotency key is the same intent, as at Stripe.
    assert gateway.create_payment(_request()).gateway_ref == created.gateway_ref
    sent = fake.requests[0]
    assert sent[2]["metadata"] == {"payment_id": "pay_1", "booking_id": "bkg_1"}
    assert "payment_method" not in sent[2]  # no card details from the server

    status, declined = _browser_confirm(
        fake, created.gateway_ref, created.client_secret or "", "4000 0000 0000 0002"
    )
    assert status == 402 and declined["error"]["message"] == DECLINE_MESSAGE
    assert declined["error"]["payment_intent"]["status"] == "requires_payment_method"
    status, _ = _browser_confirm(fake, created.gateway_ref, "pi_wrong_secret_x", "4242424242424242")
    assert status == 403

    status, paid = _browser_confirm(
        fake, created.gateway_ref, created.client_secret or "", "4242424242424242"
    )
    assert status == 200 and paid["status"] == "succeeded"
    looked_up = gateway.lookup("pay_1", "attempt-1", created.gateway_ref)
    assert looked_up is not None and looked_up.status == GatewayStatus.SUCCEEDED
    by_metadata = gateway.lookup("pay_1", "attempt-1", None)
    assert by_metadata is not None and by_metadata.gateway_ref == created.gateway_ref

    received = receiver.wait(2, timeout=5)
    events = [
        gateway.parse_event(r.body, {"Stripe-Signature": r.headers["Stripe-Signature"]})
        for r in received
    ]
    # Each event is sent from its own thread, as Stripe gives no order: compare them by type.
    by_type = {e.type: e for e in events}
    assert sorted(by_type) == ["payment_intent.payment_failed", "payment_intent.succeeded"]
    failed = by_type["payment_intent.payment_failed"]
    succeeded = by_type["payment_intent.succeeded"]
    assert failed.kind == GatewayEventKind.PROCESSING  # a decline the browser may retry
    assert succeeded.kind == GatewayEventKind.SUCCEEDED
    assert succeeded.gateway_ref == created.gateway_ref and succeeded.payment_id == "pay_1"
    # Signed with the webhook secret: a gateway with another secret refuses the event.
    with pytest.raises(InvalidSignature):
        _gateway(fake, "whsec_other").parse_event(
            received[0].body, {"Stripe-Signature": received[0].headers["Stripe-Signature"]}
        )


def test_three_d_secure_waits_for_the_challenge(fake, receiver):
    gateway = _gateway(fake)
    created = gateway.create_payment(_request("attempt-3ds"))
    status, intent = _browser_confirm(
        fake, created.gateway_ref, created.client_secret or "", "4000002760003184"
    )
    assert status == 200 and intent["status"] == "requires_action"
    assert intent["next_action"]["type"] == "use_stripe_sdk"
    pending = gateway.lookup("pay_1", "attempt-3ds", created.gateway_ref)
    assert pending is not None and pending.action == "3ds"
    authenticate = urllib.request.Request(
        f"{fake.base}/v1/payment_intents/{created.gateway_ref}/authenticate",
        data=b"result=succeed",
        method="POST",
    )
    with urllib.request.urlopen(authenticate, timeout=5) as answer:
        assert json.loads(answer.read())["status"] == "succeeded"
    assert receiver.wait(1, timeout=5)


def test_server_side_payment_method_and_refund(fake, receiver):
    gateway = _gateway(fake)
    request = _request("attempt-pm")
    paid = gateway.create_payment(
        PaymentRequest(**{**request.__dict__, "details": {"payment_method": "pm_card_visa"}})
    )
    assert paid.status == GatewayStatus.SUCCEEDED
    declined = gateway.create_payment(
        PaymentRequest(
            **{
                **request.__dict__,
                "idempotency_key": "attempt-pm-2",
                "details": {"payment_method": "pm_card_chargeDeclined"},
            }
        )
    )
    assert declined.status == GatewayStatus.FAILED
    assert declined.failure_code == "card_declined"
    assert fake.intents[declined.gateway_ref]["status"] == "canceled"  # the gateway cancels it
    refund = gateway.refund(paid.gateway_ref, Money(amount=10000, currency="INR"), "refund-1")
    assert refund.status == "succeeded" and refund.amount.amount == 10000
    assert fake.intents[paid.gateway_ref]["amount_refunded"] == 10000
    assert receiver.wait(4, timeout=5)
