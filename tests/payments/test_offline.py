from __future__ import annotations

import pytest

from booking import errors
from booking.ports import GatewayError, GatewayStatus, PaymentRequest
from canonical.money import Money
from canonical.orders import PaymentMethod
from payments.offline import CARD_3DS, CARD_DECLINE, CARD_SUCCESS, CARD_TIMEOUT, OfflineGateway
from payments.registry import GatewayRegistry, available_gateways

INR = Money(amount=25000, currency="INR")


def req(key: str, card: str, method: PaymentMethod = PaymentMethod.CARD) -> PaymentRequest:
    return PaymentRequest(
        payment_id=f"pay_{key}",
        booking_id="bkg_1",
        amount=INR,
        method=method,
        idempotency_key=key,
        details={"card_number": card},
    )


def test_test_cards():
    gw = OfflineGateway()
    assert gw.create_payment(req("a", CARD_SUCCESS)).status == GatewayStatus.SUCCEEDED
    declined = gw.create_payment(req("b", CARD_DECLINE))
    assert declined.status == GatewayStatus.FAILED and declined.failure_code == "card_declined"
    challenge = gw.create_payment(req("c", CARD_3DS))
    assert challenge.status == GatewayStatus.REQUIRES_ACTION and challenge.action == "3ds"
    assert gw.confirm_payment(challenge.gateway_ref, "c2").status == GatewayStatus.SUCCEEDED
    with pytest.raises(GatewayError):
        gw.create_payment(req("d", CARD_TIMEOUT))


def test_idempotent_by_key_and_refund_bounds():
    gw = OfflineGateway()
    first = gw.create_payment(req("k", CARD_SUCCESS))
    assert gw.create_payment(req("k", CARD_SUCCESS)) == first
    r1 = gw.refund(first.gateway_ref, Money(amount=10000, currency="INR"), "r1")
    assert gw.refund(first.gateway_ref, Money(amount=10000, currency="INR"), "r1") == r1
    assert gw.charge(first.gateway_ref).refunded == 10000
    with pytest.raises(errors.InvalidAmount):
        gw.refund(first.gateway_ref, Money(amount=20000, currency="INR"), "r2")


def test_registry_lookup():
    assert {"offline", "stripe"} <= set(available_gateways())
    registry = GatewayRegistry().add(OfflineGateway())
    assert registry("offline").name == "offline"
    with pytest.raises(errors.UnknownGateway):
        registry("stripe")


def test_refund_from_a_fresh_instance_as_in_another_process():
    # The API process takes the payment; a Celery worker (its own gateway object, same
    # configured secret) refunds it later.
    paid = OfflineGateway(webhook_secret="s3cret").create_payment(req("p1", CARD_SUCCESS))
    worker = OfflineGateway(webhook_secret="s3cret")
    refund = worker.refund(paid.gateway_ref, Money(amount=25000, currency="INR"), "refund:p1")
    assert refund.amount == INR and refund.refund_ref.startswith("off_re_")
    # A retry of the same refund from yet another process names the same refund.
    again = OfflineGateway(webhook_secret="s3cret").refund(
        paid.gateway_ref, Money(amount=25000, currency="INR"), "refund:p1"
    )
    assert again == refund
    with pytest.raises(errors.InvalidAmount):
        worker.refund(paid.gateway_ref, Money(amount=25001, currency="INR"), "refund:p1b")
    with pytest.raises(errors.InvalidAmount):
        worker.refund(paid.gateway_ref, Money(amount=100, currency="GBP"), "refund:p1c")


def test_3ds_confirmed_in_one_process_is_refundable_in_another():
    challenge = OfflineGateway().create_payment(req("t1", CARD_3DS))
    assert OfflineGateway().create_payment(req("t1", CARD_3DS)) == challenge  # same key
    confirmed = OfflineGateway().confirm_payment(challenge.gateway_ref, "t1:confirm")
    assert confirmed.status == GatewayStatus.SUCCEEDED
    assert OfflineGateway().refund(confirmed.gateway_ref, INR, "t1:refund").amount == INR
    with pytest.raises(errors.PaymentStateConflict):  # the challenge itself was never paid
        OfflineGateway().refund(challenge.gateway_ref, INR, "t1:refund2")


def test_references_cannot_be_forged_or_altered():
    paid = OfflineGateway(webhook_secret="s3cret").create_payment(req("f1", CARD_SUCCESS))
    raised = paid.gateway_ref.replace("_25000_", "_99999_")
    with pytest.raises(errors.PaymentStateConflict):
        OfflineGateway(webhook_secret="s3cret").refund(raised, INR, "f1:r")
    with pytest.raises(errors.PaymentStateConflict):  # another secret: not ours
        OfflineGateway(webhook_secret="other").refund(paid.gateway_ref, INR, "f1:r2")
    declined = OfflineGateway().create_payment(req("f2", CARD_DECLINE))
    with pytest.raises(errors.PaymentStateConflict):
        OfflineGateway().refund(declined.gateway_ref, INR, "f2:r")
