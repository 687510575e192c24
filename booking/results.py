"""What the checkout and cancellation handlers answer, beyond the aggregate itself."""

from __future__ import annotations

from dataclasses import dataclass

from canonical.money import Money
from canonical.orders import Booking, Payment


@dataclass(frozen=True)
class CheckoutResult:
    booking: Booking
    payment: Payment
    next_action: str | None = None  # e.g. "3ds": call confirm_payment after the customer acts
    client_secret: str | None = None
    created: bool = True  # False: a repeated checkout, answered with the existing attempt


@dataclass(frozen=True)
class CancellationResult:
    booking: Booking
    refund: Money
    fee: Money
    refund_issued: bool
