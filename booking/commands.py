"""Commands: what a caller asks the booking domain to do, one small immutable value per write use
case. `MessageBus.handle(command)` runs the one handler registered for its type
(booking/bus.py) and answers what that handler returns; `Command[R]` names that answer's type.

A command is a request that may be refused (the handler raises a BookingError and changes
nothing); an event (booking/events.py) is a fact that already happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from booking.ports import GatewayEvent
from booking.results import CancellationResult, CheckoutResult
from canonical.money import Money
from canonical.orders import Hold, Payment, PaymentMethod

R = TypeVar("R", covariant=True)


class Command(Generic[R]):
    """The base of every command; `R` is what its handler returns."""

    __slots__ = ()


# --- holds ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlaceHold(Command[Hold]):
    """Hold exactly these seats, all or none."""

    show_id: str
    seat_ids: tuple[str, ...]
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class HoldBestAvailable(Command[Hold]):
    """Find and hold the best `count` adjacent seats, looking again when raced."""

    show_id: str
    count: int
    category: str | None = None
    customer_id: str | None = None
    attempts: int = 3


@dataclass(frozen=True, slots=True)
class ExtendHold(Command[Hold]):
    hold_id: str


@dataclass(frozen=True, slots=True)
class ReleaseHold(Command[Hold]):
    hold_id: str


@dataclass(frozen=True, slots=True)
class ExpireHolds(Command[int]):
    """The sweep of holds past their expiry; answers how many it expired."""

    limit: int = 500


@dataclass(frozen=True, slots=True)
class ReleaseAtTheatre(Command[None]):
    """Let go of a hold at the theatre's POS (after HoldReleased or HoldExpired)."""

    show_id: str
    theatre_id: str
    remote_ref: str | None
    remote_key: str | None
    seat_ids: tuple[str, ...] = ()


# --- checkout and payments -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Checkout(Command[CheckoutResult]):
    hold_id: str
    customer_id: str
    gateway: str = "offline"
    method: PaymentMethod = PaymentMethod.CARD
    ticket_types: Mapping[str, str] | None = None
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ConfirmPayment(Command[CheckoutResult]):
    """The second step after a `requires_action` (3-D Secure) answer."""

    payment_id: str
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class HandleGatewayWebhook(Command[str]):
    """A gateway's webhook as received: verified, then applied as an ApplyGatewayEvent."""

    gateway: str
    payload: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ApplyGatewayEvent(Command[str]):
    """Answers what happened: applied, duplicate, stale, ignored or unknown_payment."""

    event: GatewayEvent


@dataclass(frozen=True, slots=True)
class ResolveStuck(Command[int]):
    """The stuck-payment sweep; answers how many payments and bookings it settled."""

    limit: int = 200


# --- cancellation and refunds --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IssueRefund(Command[Payment]):
    payment_id: str
    amount: Money
    reason: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class CancelBooking(Command[CancellationResult]):
    """A customer's cancellation (customer_id set: only their own booking)."""

    booking_id: str
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class CancelAtTheatre(Command[None]):
    """Refund a cancelled booking's sale at the theatre's POS (after BookingCancelled)."""

    booking_id: str


# --- sales at the POS ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CommitSale(Command[str | None]):
    """Make a confirmed booking's sale final at the theatre's POS (after BookingConfirmed);
    answers the POS's booking number (None for a native theatre)."""

    booking_id: str


@dataclass(frozen=True, slots=True)
class FailSale(Command[None]):
    """The POS will not take the sale: refund, and a conflict for admins unless told not to."""

    booking_id: str
    reason: str
    raise_conflict: bool = True
