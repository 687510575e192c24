"""The offline test gateway: no network, deterministic outcomes chosen by test card number.

| card number        | outcome                                                      |
| ------------------ | ------------------------------------------------------------ |
| 4242424242424242   | succeeds                                                     |
| 4000000000000002   | declined (`card_declined`)                                   |
| 4000002760003184   | 3-D Secure required: `requires_action`, then confirm_payment |
|                    | succeeds (or fails with details {"authenticate": False})     |
| 4000000000000119   | the gateway times out (GatewayError): outcome unknown        |

Wallet and UPI payments succeed unless details say {"vpa": "failure@upi"} or
{"wallet_token": "decline"}. Requests are idempotent by key, like a real gateway: the same key
returns the first answer. It also signs and parses webhook-style events (HMAC-SHA256 over the raw
body), so the webhook path can be demonstrated without Stripe.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from booking.errors import InvalidAmount, InvalidSignature, PaymentStateConflict
from booking.ports import (
    GatewayError,
    GatewayEvent,
    GatewayEventKind,
    GatewayResult,
    GatewayStatus,
    PaymentRequest,
    RefundResult,
)
from canonical.money import Money
from canonical.orders import PaymentMethod

CARD_SUCCESS = "4242424242424242"
CARD_DECLINE = "4000000000000002"
CARD_3DS = "4000002760003184"
CARD_TIMEOUT = "4000000000000119"

SIGNATURE_HEADER = "X-Offline-Signature"


@dataclass
class _Charge:
    ref: str
    payment_id: str
    amount: Money
    status: GatewayStatus
    refunded: int = 0


class OfflineGateway:
    name = "offline"
    capabilities = frozenset({PaymentMethod.CARD, PaymentMethod.WALLET, PaymentMethod.UPI})

    def __init__(self, webhook_secret: str = "offline-webhook-secret", **_: Any) -> None:
        self._secret = webhook_secret.encode()
        self._charges: dict[str, _Charge] = {}
        self._answers: dict[str, Any] = {}
        self._lock = threading.Lock()

    # --- payments ------------------------------------------------------------------------
    def create_payment(self, request: PaymentRequest) -> GatewayResult:
        with self._lock:
            if request.idempotency_key in self._answers:
                return self._answers[request.idempotency_key]
        if request.amount.amount <= 0:
            raise InvalidAmount("amount must be positive")
        outcome, code, message = self._decide(request.method, request.details)
        if outcome is None:
            raise GatewayError("offline gateway: simulated timeout", retry_after=5)
        ref = f"off_pi_{uuid.uuid4().hex[:16]}"
        charge = _Charge(ref, request.payment_id, request.amount, outcome)
        result = GatewayResult(
            status=outcome, gateway_ref=ref, client_secret=f"{ref}_secret",
            action="3ds" if outcome == GatewayStatus.REQUIRES_ACTION else None,
            failure_code=code, failure_message=message)
        with self._lock:
            if request.idempotency_key in self._answers:
                return self._answers[request.idempotency_key]
            self._charges[ref] = charge
            self._answers[request.idempotency_key] = result
        return result

    @staticmethod
    def _decide(method: PaymentMethod, details: Mapping[str, Any]
                ) -> tuple[GatewayStatus | None, str | None, str | None]:
        if method == PaymentMethod.UPI:
            if details.get("vpa") == "failure@upi":
                return GatewayStatus.FAILED, "upi_declined", "the UPI payment was declined"
            return GatewayStatus.SUCCEEDED, None, None
        if method == PaymentMethod.WALLET:
            if details.get("wallet_token") == "decline":
                return GatewayStatus.FAILED, "wallet_declined", "the wallet declined the payment"
            return GatewayStatus.SUCCEEDED, None, None
        card = str(details.get("card_number", "")).replace(" ", "")
        if card == CARD_SUCCESS:
            return GatewayStatus.SUCCEEDED, None, None
        if card == CARD_DECLINE:
            return GatewayStatus.FAILED, "card_declined", "Your card was declined."
        if card == CARD_3DS:
            return GatewayStatus.REQUIRES_ACTION, None, None
        if card == CARD_TIMEOUT:
            return None, None, None
        return GatewayStatus.FAILED, "incorrect_number", "Your card number is incorrect."

    def confirm_payment(self, gateway_ref: str, idempotency_key: str,
                        details: Mapping[str, Any] | None = None) -> GatewayResult:
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
            charge = self._charges.get(gateway_ref)
            if charge is None:
                raise PaymentStateConflict(f"offline gateway knows no payment {gateway_ref}")
            if charge.status != GatewayStatus.REQUIRES_ACTION:
                return GatewayResult(status=charge.status, gateway_ref=gateway_ref)
            ok = (details or {}).get("authenticate", True)
            charge.status = GatewayStatus.SUCCEEDED if ok else GatewayStatus.FAILED
            result = GatewayResult(
                status=charge.status, gateway_ref=gateway_ref,
                failure_code=None if ok else "authentication_failed",
                failure_message=None if ok else "3-D Secure authentication failed")
            self._answers[idempotency_key] = result
            return result

    def refund(self, gateway_ref: str, amount: Money, idempotency_key: str) -> RefundResult:
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
            charge = self._charges.get(gateway_ref)
            if charge is None or charge.status != GatewayStatus.SUCCEEDED:
                raise PaymentStateConflict(f"offline gateway: {gateway_ref} was not paid")
            if amount.amount <= 0 or charge.refunded + amount.amount > charge.amount.amount:
                raise InvalidAmount("refund exceeds what was paid")
            charge.refunded += amount.amount
            result = RefundResult(refund_ref=f"off_re_{uuid.uuid4().hex[:16]}", amount=amount)
            self._answers[idempotency_key] = result
            return result

    def charge(self, gateway_ref: str) -> _Charge | None:
        """Inspect a charge (tests, demo)."""
        return self._charges.get(gateway_ref)

    # --- webhook-style events ---------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def make_event(self, kind: GatewayEventKind, gateway_ref: str, *, payment_id: str | None = None,
                   amount_refunded: int | None = None,
                   event_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        """A signed event body and headers, as a webhook sender would post them."""
        body = json.dumps({
            "id": event_id or f"off_evt_{uuid.uuid4().hex[:16]}", "kind": kind.value,
            "gateway_ref": gateway_ref, "payment_id": payment_id,
            "amount_refunded": amount_refunded, "created": datetime.now(UTC).isoformat(),
        }).encode()
        return body, {SIGNATURE_HEADER: self.sign(body)}

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        if not hmac.compare_digest(given, self.sign(payload)):
            raise InvalidSignature("offline gateway event signature does not match")
        try:
            data = json.loads(payload)
            return GatewayEvent(
                gateway=self.name, event_id=data["id"], kind=GatewayEventKind(data["kind"]),
                gateway_ref=data.get("gateway_ref"), payment_id=data.get("payment_id"),
                created=datetime.fromisoformat(data["created"]), type=data["kind"],
                amount_refunded=data.get("amount_refunded"))
        except (ValueError, KeyError) as err:
            raise InvalidSignature(f"malformed offline gateway event: {err}") from err
