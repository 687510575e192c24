"""The payment gateway port: payments/ implements it (offline, Stripe)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from canonical.money import Money
from canonical.orders import PaymentMethod


class GatewayStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"  # e.g. 3-D Secure: the customer must confirm
    PROCESSING = "processing"  # outcome comes later, by webhook


@dataclass(frozen=True)
class PaymentRequest:
    payment_id: str
    booking_id: str
    amount: Money
    method: PaymentMethod
    idempotency_key: str
    description: str = ""
    # Gateway-specific: a test card number for `offline`, a PaymentMethod id for Stripe.
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayResult:
    status: GatewayStatus
    gateway_ref: str
    client_secret: str | None = None
    action: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_ref: str
    amount: Money
    status: str = "succeeded"


class GatewayEventKind(StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"  # carries the cumulative refunded amount
    DISPUTED = "disputed"  # the customer's bank pulled the money back (a chargeback opened)
    IGNORED = "ignored"  # a type we do not act on


@dataclass(frozen=True)
class GatewayEvent:
    gateway: str
    event_id: str
    kind: GatewayEventKind
    gateway_ref: str | None
    created: datetime
    type: str = ""
    payment_id: str | None = None
    amount_refunded: int | None = None  # minor units, cumulative
    failure_message: str | None = None


class GatewayError(Exception):
    """The gateway could not be reached or timed out: the outcome is unknown."""

    def __init__(self, message: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class PaymentGateway(Protocol):
    name: str
    capabilities: frozenset[PaymentMethod]

    def create_payment(self, request: PaymentRequest) -> GatewayResult: ...

    def confirm_payment(
        self, gateway_ref: str, idempotency_key: str, details: Mapping[str, Any] | None = None
    ) -> GatewayResult: ...

    def refund(self, gateway_ref: str, amount: Money, idempotency_key: str) -> RefundResult: ...

    def lookup(
        self, payment_id: str, idempotency_key: str, gateway_ref: str | None
    ) -> GatewayResult | None:
        """What the gateway knows of an attempt whose answer we never recorded (a crash or a
        timeout): its current outcome, or None when the gateway never saw it. Raises
        GatewayError when the gateway cannot say."""
        ...

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """Verify the signature on the raw body and translate. Raises InvalidSignature."""
        ...


class GatewayResolver(Protocol):
    def __call__(self, name: str) -> PaymentGateway: ...
