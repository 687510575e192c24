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
    return PaymentRequest(payment_id=f"pay_{key}", booking_id="bkg_1", amount=INR, method=method,
                          idempotency_key=key, details={"card_number": card})


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
