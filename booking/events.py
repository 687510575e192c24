"""Domain events: facts the domain states, written to the outbox in the transaction that caused
them and handled afterwards (POS forwarding, notifications, refunds, admin conflicts).

Every event is a frozen pydantic model with an `event_id` (consumers de-duplicate on it: the
outbox delivers at least once) and round-trips through JSON: `event.to_message()` gives the
outbox row's (name, payload), `from_message(name, payload)` rebuilds the event.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from canonical.money import Money


def _event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str] = "Event"
    event_id: str = Field(default_factory=_event_id)
    occurred_at: datetime = Field(default_factory=_now)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__
        EVENT_TYPES[cls.__name__] = cls

    def to_message(self) -> tuple[str, dict[str, Any]]:
        return self.name, self.model_dump(mode="json")

    @property
    def aggregate_id(self) -> str:
        """The id the outbox orders by (events of one aggregate are handled in order)."""
        for attr in ("booking_id", "hold_id", "payment_id"):
            value = getattr(self, attr, None)
            if value:
                return str(value)
        return self.event_id


EVENT_TYPES: dict[str, type[Event]] = {}


def from_message(name: str, payload: dict[str, Any]) -> Event:
    try:
        cls = EVENT_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown event type {name!r}") from None
    return cls.model_validate(payload)


# --- holds ---------------------------------------------------------------------------------
class HoldPlaced(Event):
    hold_id: str
    show_id: str
    theatre_id: str
    seat_ids: tuple[str, ...]
    expires_at: datetime
    customer_id: str | None = None
    remote_ref: str | None = None


class HoldExtended(Event):
    hold_id: str
    show_id: str
    expires_at: datetime


class HoldReleased(Event):
    """The customer let go (or the POS refused/was down). `remote_ref`/`remote_key` tell the
    theatre link which POS order to release; both may be None for a native theatre."""

    hold_id: str
    show_id: str
    theatre_id: str
    seat_ids: tuple[str, ...]
    reason: str = "customer"
    remote_ref: str | None = None
    remote_key: str | None = None
    forward: bool = True


class HoldExpired(Event):
    hold_id: str
    show_id: str
    theatre_id: str
    seat_ids: tuple[str, ...]
    remote_ref: str | None = None
    remote_key: str | None = None


class SeatsRefusedByTheatre(Event):
    """The POS said these seats are not free: local inventory took its word."""

    show_id: str
    theatre_id: str
    seat_ids: tuple[str, ...]
    hold_id: str | None = None


# --- bookings ------------------------------------------------------------------------------
class BookingCreated(Event):
    booking_id: str
    code: str
    hold_id: str
    show_id: str
    customer_id: str
    total: Money


class BookingConfirmed(Event):
    booking_id: str
    code: str
    show_id: str
    theatre_id: str
    customer_id: str
    seat_ids: tuple[str, ...]
    total: Money
    hold_id: str | None = None
    remote_hold_ref: str | None = None
    payment_id: str | None = None


class BookingFailed(Event):
    booking_id: str
    show_id: str
    customer_id: str
    reason: str


class BookingCancelled(Event):
    booking_id: str
    code: str
    show_id: str
    theatre_id: str
    customer_id: str
    seat_ids: tuple[str, ...]
    refund: Money
    fee: Money
    remote_ref: str | None = None


class SaleCommitted(Event):
    booking_id: str
    remote_ref: str


class SaleCommitFailed(Event):
    """The POS finally refused the sale: the booking is refunded and admins see a conflict."""

    booking_id: str
    show_id: str
    theatre_id: str
    reason: str


# --- payments ------------------------------------------------------------------------------
class PaymentInitiated(Event):
    payment_id: str
    booking_id: str
    gateway: str
    amount: Money


class PaymentStatusChanged(Event):
    payment_id: str
    booking_id: str
    from_status: str
    to_status: str
    cause: str


class PaymentActionRequired(Event):
    payment_id: str
    booking_id: str
    action: str


class PaymentSucceeded(Event):
    payment_id: str
    booking_id: str
    amount: Money
    gateway_ref: str | None = None


class PaymentFailed(Event):
    payment_id: str
    booking_id: str
    reason: str


class RefundRequested(Event):
    """A refund is owed; the handler asks the gateway (idempotently, by `idempotency_key`)."""

    payment_id: str
    booking_id: str
    amount: Money
    reason: str
    idempotency_key: str


class RefundIssued(Event):
    payment_id: str
    booking_id: str
    amount: Money
    refunded_total: Money
    reason: str
    customer_id: str | None = None


class LateSuccessRefunded(Event):
    """A payment succeeded after its hold expired and the seats were gone: customer is told."""

    payment_id: str
    booking_id: str
    customer_id: str
    seat_ids: tuple[str, ...]
