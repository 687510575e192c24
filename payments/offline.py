"""The offline test gateway: no network, deterministic outcomes chosen by test card number.

| card number        | outcome                                                      |
| ------------------ | ------------------------------------------------------------ |
| 4242424242424242   | succeeds                                                     |
| 4000000000000002   | declined (`card_declined`)                                   |
| 4000002760003184   | 3-D Secure required: `requires_action`, then confirm_payment |
|                    | succeeds (or fails with details {"authenticate": False})     |
| 4000000000000119   | the gateway times out (GatewayError): outcome unknown        |
| 4000000000000259   | succeeds after `slow_seconds` (a gateway slow to answer)     |

Wallet and UPI payments succeed unless details say {"vpa": "failure@upi"} or
{"wallet_token": "decline"}. Requests are idempotent by key, like a real gateway: the same key
returns the first answer. It keeps no state a process needs: its payment references carry the
charge, signed, so a refund in a Celery worker works for a payment taken by the API.
It also signs and parses webhook-style events (HMAC-SHA256 over the raw
body), so the webhook path can be demonstrated without Stripe.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
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
CARD_SLOW = "4000000000000259"

SIGNATURE_HEADER = "X-Offline-Signature"


_STATUS_CODES = {
    GatewayStatus.SUCCEEDED: "s",
    GatewayStatus.FAILED: "f",
    GatewayStatus.REQUIRES_ACTION: "a",
}
_CODE_STATUS = {v: k for k, v in _STATUS_CODES.items()}


@dataclass
class _Charge:
    ref: str
    amount: Money
    status: GatewayStatus
    refunded: int = 0  # refunds seen by this instance (inspection only; see `refund`)


class OfflineGateway:
    """Stateless across processes: the gateway reference it hands out carries the charge
    (amount, currency, outcome) and an HMAC of it under the gateway secret, so any instance
    with the same secret - the API's, a Celery worker's - can confirm or refund it. Answers
    for the same idempotency key are derived from the key, so they are the same in every
    process too. Limit: without shared state, the sum of several partial refunds is bounded
    only within one instance; booking's payment state machine bounds it for real."""

    name = "offline"
    capabilities = frozenset({PaymentMethod.CARD, PaymentMethod.WALLET, PaymentMethod.UPI})

    def __init__(
        self, webhook_secret: str = "offline-webhook-secret", slow_seconds: float = 20.0, **_: Any
    ) -> None:
        self._secret = webhook_secret.encode()
        self._slow_seconds = slow_seconds
        self._answers: dict[str, Any] = {}  # a memo only: every answer can be derived again
        self._refunded: dict[str, int] = {}
        self._lock = threading.Lock()

    # --- references that carry the charge ---------------------------------------------------
    def _mac(self, text: str, n: int = 16) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()[:n]

    def _ref(self, nonce: str, status: GatewayStatus, amount: Money) -> str:
        body = f"{nonce}_{_STATUS_CODES[status]}_{amount.amount}_{amount.currency}"
        return f"off_pi_{body}_{self._mac('ref:' + body)}"

    def _decode(self, gateway_ref: str) -> _Charge | None:
        """The charge a reference describes, or None if it is not one of ours (or was
        altered: the amount cannot be raised without the secret)."""
        if not gateway_ref.startswith("off_pi_"):
            return None
        parts = gateway_ref[len("off_pi_") :].split("_")
        if len(parts) != 5:
            return None
        nonce, code, amount, currency, mac = parts
        body = f"{nonce}_{code}_{amount}_{currency}"
        if (
            not hmac.compare_digest(mac, self._mac("ref:" + body))
            or code not in _CODE_STATUS
            or not amount.isdigit()
        ):
            return None
        return _Charge(
            gateway_ref,
            Money(amount=int(amount), currency=currency),
            _CODE_STATUS[code],
            self._refunded.get(nonce, 0),
        )

    # --- payments ------------------------------------------------------------------------
    def create_payment(self, request: PaymentRequest) -> GatewayResult:
        with self._lock:
            if request.idempotency_key in self._answers:
                return self._answers[request.idempotency_key]
        if request.amount.amount <= 0:
            raise InvalidAmount("amount must be positive")
        outcome, code, message = self._decide(request.method, request.details)
        if code == "slow":
            time.sleep(self._slow_seconds)
            code = None
        if outcome is None:
            raise GatewayError("offline gateway: simulated timeout", retry_after=5)
        # Derived from the key: a retry with the same key, in any process, gets this answer.
        ref = self._ref(self._mac("create:" + request.idempotency_key, 12), outcome, request.amount)
        result = GatewayResult(
            status=outcome,
            gateway_ref=ref,
            client_secret=f"{ref}_secret",
            action="3ds" if outcome == GatewayStatus.REQUIRES_ACTION else None,
            failure_code=code,
            failure_message=message,
        )
        with self._lock:
            return self._answers.setdefault(request.idempotency_key, result)

    @staticmethod
    def _decide(
        method: PaymentMethod, details: Mapping[str, Any]
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
        if card == CARD_SLOW:
            return GatewayStatus.SUCCEEDED, "slow", None
        return GatewayStatus.FAILED, "incorrect_number", "Your card number is incorrect."

    def confirm_payment(
        self, gateway_ref: str, idempotency_key: str, details: Mapping[str, Any] | None = None
    ) -> GatewayResult:
        """3-D Secure done: the answer carries a new reference that records the outcome (the
        booking service stores the reference a result names)."""
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
        charge = self._decode(gateway_ref)
        if charge is None:
            raise PaymentStateConflict(f"offline gateway knows no payment {gateway_ref}")
        if charge.status != GatewayStatus.REQUIRES_ACTION:
            return GatewayResult(status=charge.status, gateway_ref=gateway_ref)
        ok = bool((details or {}).get("authenticate", True))
        status = GatewayStatus.SUCCEEDED if ok else GatewayStatus.FAILED
        nonce = gateway_ref[len("off_pi_") :].split("_")[0]
        result = GatewayResult(
            status=status,
            gateway_ref=self._ref(nonce, status, charge.amount),
            failure_code=None if ok else "authentication_failed",
            failure_message=None if ok else "3-D Secure authentication failed",
        )
        with self._lock:
            return self._answers.setdefault(idempotency_key, result)

    def lookup(
        self, payment_id: str, idempotency_key: str, gateway_ref: str | None
    ) -> GatewayResult | None:
        """This instance's own record of an attempt: the answer it gave for the key, else the
        charge a reference describes; None when it never saw the attempt (an attempt made by
        a process that died took its record with it, and no money moved)."""
        with self._lock:
            known = self._answers.get(idempotency_key)
        if isinstance(known, GatewayResult):
            return known
        charge = self._decode(gateway_ref) if gateway_ref else None
        if charge is None:
            return None
        return GatewayResult(status=charge.status, gateway_ref=charge.ref)

    def refund(self, gateway_ref: str, amount: Money, idempotency_key: str) -> RefundResult:
        """Verified against the reference itself: it must be ours, paid, in the same currency,
        and the refund no more than was charged. Idempotent by key: the refund reference is
        derived from it, so a retry from another process names the same refund."""
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
            charge = self._decode(gateway_ref)
            if charge is None or charge.status != GatewayStatus.SUCCEEDED:
                raise PaymentStateConflict(f"offline gateway: {gateway_ref} was not paid")
            if amount.currency != charge.amount.currency:
                raise InvalidAmount(
                    f"refund in {amount.currency} of a charge in {charge.amount.currency}"
                )
            if amount.amount <= 0 or charge.refunded + amount.amount > charge.amount.amount:
                raise InvalidAmount("refund exceeds what was paid")
            nonce = gateway_ref[len("off_pi_") :].split("_")[0]
            self._refunded[nonce] = charge.refunded + amount.amount
            result = RefundResult(
                refund_ref=f"off_re_{self._mac('refund:' + idempotency_key)}", amount=amount
            )
            self._answers[idempotency_key] = result
            return result

    def charge(self, gateway_ref: str) -> _Charge | None:
        """Inspect a charge (tests, demo): what the reference says, with the refunds this
        instance has made."""
        return self._decode(gateway_ref)

    # --- webhook-style events ---------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def make_event(
        self,
        kind: GatewayEventKind,
        gateway_ref: str,
        *,
        payment_id: str | None = None,
        amount_refunded: int | None = None,
        event_id: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A signed event body and headers, as a webhook sender would post them."""
        body = json.dumps(
            {
                "id": event_id or f"off_evt_{uuid.uuid4().hex[:16]}",
                "kind": kind.value,
                "gateway_ref": gateway_ref,
                "payment_id": payment_id,
                "amount_refunded": amount_refunded,
                "created": datetime.now(UTC).isoformat(),
            }
        ).encode()
        return body, {SIGNATURE_HEADER: self.sign(body)}

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        if not hmac.compare_digest(given, self.sign(payload)):
            raise InvalidSignature("offline gateway event signature does not match")
        try:
            data = json.loads(payload)
            return GatewayEvent(
                gateway=self.name,
                event_id=data["id"],
                kind=GatewayEventKind(data["kind"]),
                gateway_ref=data.get("gateway_ref"),
                payment_id=data.get("payment_id"),
                created=datetime.fromisoformat(data["created"]),
                type=data["kind"],
                amount_refunded=data.get("amount_refunded"),
            )
        except (ValueError, KeyError) as err:
            raise InvalidSignature(f"malformed offline gateway event: {err}") from err
